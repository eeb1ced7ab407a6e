// Owns the README's configuration table, generated from the config schema so the two never drift.
// Must not import beyond config/.
import { z } from 'zod';
import { configSchema, envBindings } from './schema.ts';

interface JsonSchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
}

function rows(node: JsonSchemaNode, prefix: string): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties) return rows(child, path);
    const env = Object.entries(envBindings).find(([, b]) => b.path === path)?.[0];
    const dflt = child.default === undefined ? 'none' : `\`${JSON.stringify(child.default)}\``;
    return [`| \`${path}\` | ${env ? `\`${env}\`` : ''} | ${child.description ?? ''} | ${dflt} |`];
  });
}

export function renderConfigTable(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchemaNode;
  return ['| key (config file) | environment | meaning | default |', '| --- | --- | --- | --- |', ...rows(schema, '')].join('\n');
}
