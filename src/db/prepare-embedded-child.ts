// The child process of prepare-embedded.ts: creates the embedded database in the folder given, migrates it, exits.
import { createDb } from './create-db.ts';
import { migrateLatest } from './migrate.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: prepare-embedded-child.ts <pgdata folder>');
const handle = createDb({ pgliteDir: dir });
try {
  await migrateLatest(handle.db);
} finally {
  await handle.close();
}
