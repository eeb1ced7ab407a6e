// Owns the admin API's OpenAPI 3.1 document, assembled from the sections' parts; their request bodies are
// generated from the same zod schemas the API validates with, so the document cannot drift from what is accepted.
import { ADMIN_READ_SCOPE, ADMIN_SCOPE, adminResourceOf } from '../security/api-tokens.ts';
import type { AdminSection } from './types.ts';

export function buildOpenApiDocument(issuer: string, sections: AdminSection[]) {
  const parts = sections.map((s) => s.openapi(issuer));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Foyer admin API', version: '1',
      description: `Configure Foyer. Authenticate with a client-credentials access token requested with resource=${adminResourceOf(issuer)} and scope=${ADMIN_SCOPE} (or ${ADMIN_READ_SCOPE}, which can only read: every GET), from a client registered with that scope.`,
    },
    servers: [{ url: adminResourceOf(issuer) }],
    components: {
      securitySchemes: {
        adminToken: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { [ADMIN_SCOPE]: 'Administer Foyer', [ADMIN_READ_SCOPE]: 'Read everything the admin API shows (GET only)' } } } },
      },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'string', description: 'A stable dotted code' }, message: { type: 'string', description: 'What went wrong, for a person' } } },
        ...Object.assign({}, ...parts.map((p) => p.schemas ?? {})),
      },
    },
    security: [{ adminToken: [ADMIN_SCOPE] }, { adminToken: [ADMIN_READ_SCOPE] }],
    paths: Object.assign({}, ...parts.map((p) => p.paths)),
  };
}
