import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // A worker keeps its loaded modules from one file to the next: loading the server's modules (oidc-provider,
    // knex, PGlite's WebAssembly, the templates) in a fresh process for every file cost more CPU than most files'
    // tests. Each file still starts its own server on its own database, so no state is shared through them.
    isolate: false,
    // One migrated database is prepared once (PGlite or PostgreSQL) and each file starts from a copy of it.
    globalSetup: ['test/support/migrated-template.ts'],
    // Two files at a time even on two cores: each file has its own database and server, and a file
    // spends much of its time waiting (on PostgreSQL, Chromium or a child process) rather than computing.
    maxWorkers: 2,
    // Generous limits, for a busy machine: they only bound a test that hangs (no test asserts on time).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
