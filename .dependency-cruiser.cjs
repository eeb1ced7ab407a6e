// Enforces the layers of shared/DESIGN.md: imports only go down
// composition → HTTP edges → domain → infrastructure. Type-only imports upward are allowed.
const EDGE_NAMES = ['oidc', 'journey', 'portal', 'admin', 'demo'];
const EDGES = '^src/(oidc|journey|portal|admin|http|demo)/';
const DOMAIN = '^src/(flows|authn|accounts|clients|profile|consent|privacy|events)/';
const INFRA = '^src/(db|cache|config|mail|security|i18n|errors|metrics|paging)/|^src/log\\.ts$';
const COMPOSITION = '^src/(main|server|compose|app)\\.ts$|^src/cli/';

// Each edge stays out of the others: what one needs of another is a port the domain declares, handed in by
// the composition root (type-only imports of a port's shape are fine).
const edgeApartRules = EDGE_NAMES.map((edge) => ({
  name: `edge-apart-${edge}`,
  comment: `src/${edge}/ imports no other edge; shared pieces live in the domain or src/http/.`,
  severity: 'error',
  from: { path: `^src/${edge}/` },
  to: { path: `^src/(${EDGE_NAMES.filter((other) => other !== edge).join('|')})/`, dependencyTypesNot: ['type-only'] },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true, dependencyTypesNot: ['type-only'] } },
    { name: 'domain-not-up', comment: 'The domain never imports HTTP edges or composition.', severity: 'error', from: { path: DOMAIN }, to: { path: `${EDGES}|${COMPOSITION}` } },
    { name: 'domain-no-http-frameworks', comment: 'The domain is plain TypeScript: no koa, no oidc-provider.', severity: 'error', from: { path: DOMAIN }, to: { path: 'node_modules/(koa|@koa|oidc-provider)/' } },
    { name: 'infra-not-up', comment: 'Infrastructure imports nothing above it.', severity: 'error', from: { path: INFRA }, to: { path: `${DOMAIN}|${EDGES}|${COMPOSITION}` } },
    { name: 'edges-not-composition', comment: 'Edges receive their services; they never build them.', severity: 'error', from: { path: EDGES }, to: { path: COMPOSITION, dependencyTypesNot: ['type-only'] } },
    ...edgeApartRules,
    { name: 'http-middleware-only', comment: 'src/http/ is shared middleware: it imports no edge (the app is assembled in src/app.ts).', severity: 'error', from: { path: '^src/http/' }, to: { path: `^src/(${EDGE_NAMES.join('|')})/`, dependencyTypesNot: ['type-only'] } },
    { name: 'edges-not-db', comment: 'Edges reach tables through the domain (or, for src/oidc, the adapter they are handed): no runtime import of src/db/.', severity: 'error', from: { path: EDGES }, to: { path: '^src/db/', dependencyTypesNot: ['type-only'] } },
    { name: 'only-oidc-imports-oidc-provider', comment: 'src/oidc is the only importer of oidc-provider.', severity: 'error', from: { path: '^src/', pathNot: '^src/oidc/' }, to: { path: 'node_modules/oidc-provider/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
