// Enforces the layers of shared/DESIGN.md: imports only go down
// composition → HTTP edges → domain → infrastructure. Type-only imports upward are allowed.
const EDGES = '^src/(oidc|journey|portal|admin|http|demo)/';
const DOMAIN = '^src/(flows|authn|accounts|profile|consent|privacy|events)/';
const INFRA = '^src/(db|config|mail|security|i18n|errors|metrics)/|^src/log\\.ts$';
const COMPOSITION = '^src/(main|server|compose)\\.ts$|^src/cli/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true, dependencyTypesNot: ['type-only'] } },
    { name: 'domain-not-up', comment: 'The domain never imports HTTP edges or composition.', severity: 'error', from: { path: DOMAIN }, to: { path: `${EDGES}|${COMPOSITION}` } },
    { name: 'domain-no-http-frameworks', comment: 'The domain is plain TypeScript: no koa, no oidc-provider.', severity: 'error', from: { path: DOMAIN }, to: { path: 'node_modules/(koa|@koa|oidc-provider)/' } },
    { name: 'infra-not-up', comment: 'Infrastructure imports nothing above it.', severity: 'error', from: { path: INFRA }, to: { path: `${DOMAIN}|${EDGES}|${COMPOSITION}` } },
    { name: 'edges-not-composition', comment: 'Edges receive their services; they never build them.', severity: 'error', from: { path: EDGES }, to: { path: COMPOSITION, dependencyTypesNot: ['type-only'] } },
    { name: 'only-oidc-imports-oidc-provider', comment: 'src/oidc is the only importer of oidc-provider.', severity: 'error', from: { path: '^src/', pathNot: '^src/oidc/' }, to: { path: 'node_modules/oidc-provider/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
