// Owns the embedded database's single-process rule: the server holds a lock file in the data folder
// (with its pid); a stale lock (its process gone) is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const lockPath = (dataDir: string) => join(dataDir, 'foyer.lock');
export const socketPath = (dataDir: string) => join(dataDir, 'foyer.sock');
export const controlTokenPath = (dataDir: string) => join(dataDir, 'control-token');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the data folder, if a live process does. */
export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPath(dataDir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  release(): void;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const holder = lockHolder(dataDir);
  if (holder) throw new Error(`the data folder ${dataDir} is in use by process ${holder}; stop it first or use another FOYER_DATA_DIR`);
  rmSync(lockPath(dataDir), { force: true });
  writeFileSync(lockPath(dataDir), String(process.pid), { mode: 0o600, flag: 'wx' });
  return {
    release() {
      try {
        if (readFileSync(lockPath(dataDir), 'utf8').trim() === String(process.pid)) rmSync(lockPath(dataDir), { force: true });
      } catch {
        // already gone
      }
    },
  };
}
