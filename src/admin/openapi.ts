// Owns the admin API's OpenAPI 3.1 document, assembled from the sections' parts; their request bodies are
// generated from the same zod schemas the API validates with, so the document cannot drift from what is accepted.
import { ADMIN_READ_SCOPE, ADMIN_SCOPE, adminResourceOf } from '../security/api-tokens.ts';
import { problemSchema } from './problem.ts';
import { openApi, type AdminSection } from './types.ts';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** Every operation answers the shared problems (and, with a body, 413 and 415) unless it says more of its own. */
function withProblems(paths: Record<string, Record<string, unknown>>) {
  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as { requestBody?: unknown; responses?: Record<string, unknown> } | undefined;
      if (!operation) continue;
      operation.responses = { ...openApi.errors, ...(operation.requestBody ? openApi.bodyErrors : {}), ...operation.responses };
    }
  }
  return paths;
}

export function buildOpenApiDocument(issuer: string, sections: AdminSection[]) {
  const parts = sections.map((s) => s.openapi(issuer));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Foyer admin API', version: '1',
      description: `Configure Foyer. Lists page with limit and cursor (pass back next_cursor); every error is RFC 9457 problem+json. Authenticate with a client-credentials access token requested with resource=${adminResourceOf(issuer)} and scope=${ADMIN_SCOPE} (or ${ADMIN_READ_SCOPE}, which can only read: every GET), from a client registered with that scope.`,
    },
    servers: [{ url: adminResourceOf(issuer) }],
    components: {
      securitySchemes: {
        adminToken: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { [ADMIN_SCOPE]: 'Administer Foyer', [ADMIN_READ_SCOPE]: 'Read everything the admin API shows (GET only)' } } } },
      },
      schemas: {
        Problem: problemSchema,
        ...Object.assign({}, ...parts.map((p) => p.schemas ?? {})),
      },
    },
    security: [{ adminToken: [ADMIN_SCOPE] }, { adminToken: [ADMIN_READ_SCOPE] }],
    paths: withProblems(Object.assign({}, ...parts.map((p) => p.paths)) as Record<string, Record<string, unknown>>),
  };
}
