// Owns the embedded database's single-process rule: the server holds a lock file in the data folder
// (with its pid); a stale lock (its process gone) is taken over.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const inUse = (holder: number) => new Error(`the data folder ${dataDir} is in use by process ${holder}; stop it first or use another FOYER_DATA_DIR`);
  // Written aside and hard-linked into place: the lock file appears atomically, never empty.
  const take = () => {
    const aside = `${lockPath(dataDir)}.${process.pid}`;
    writeFileSync(aside, String(process.pid), { mode: 0o600 });
    try {
      linkSync(aside, lockPath(dataDir));
    } finally {
      rmSync(aside, { force: true });
    }
  };
  try {
    take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A lock file is there: a live holder's, or a stale one (its process gone), which is taken over.
    // Only a stale file is removed, never one another process has just written.
    const holder = lockHolder(dataDir);
    if (holder) throw inUse(holder);
    rmSync(lockPath(dataDir), { force: true });
    try {
      take();
    } catch (again) {
      const racer = (again as NodeJS.ErrnoException).code === 'EEXIST' ? lockHolder(dataDir) : undefined;
      throw racer ? inUse(racer) : again;
    }
  }
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
