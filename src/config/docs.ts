// Owns docs/configuration.md, generated from the config schema so the two never drift (npm run docs:config).
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

/** The whole page docs/configuration.md: how settings are read, then the table. */
export function renderConfigPage(): string {
  return `<!-- Generated from src/config/schema.ts by \`npm run docs:config\`: edit the schema's descriptions, not this file. -->
# Configuration reference

Settings come from \`config/default.json\`, then the JSON file named by \`FOYER_CONFIG\`, then the environment
(which wins). A config file names secrets only by reference, as \`{"env": "VARIABLE"}\` (see
\`config/example.production.json\`); a reference to an unset variable stops the start, naming it. An invalid
value stops the process with one line naming the key. \`NODE_ENV=production\` refuses an http issuer that is
not on loopback and a missing \`FOYER_SECRET\`, and seeds no demo app. Without \`FOYER_SECRET\` outside
production, a secret is generated once into the data folder. See [Running Foyer](operators/running.md) for
what to set in production.

${renderConfigTable()}
`;
}
