// The size of a run history on disk: the database and its WAL, which holds
// what was written since the last checkpoint.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of the history database (and its WAL) in a storeDir. */
export const historyBytes = (storeDir: string): number =>
  readdirSync(storeDir)
    .filter((file) => file.startsWith('history.db'))
    .reduce((sum, file) => sum + statSync(join(storeDir, file)).size, 0);
