import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { migrate } from './schema.js';
import { makeDirs } from '../util/make-dirs.js';

// Opening the history database, `<storeDir>/history.db`, the same way for
// every process that uses it: the CLI recording a run, `flow runs`, and
// several of either at once (cron starting a run while another goes on).
//
// - WAL: readers never wait for the writer, and a writer for readers.
// - A busy timeout: a writer waits for another instead of failing at once.
// - Every write transaction BEGIN IMMEDIATE (better-sqlite3's
//   `.immediate()`): a deferred transaction that reads and then writes can
//   fail with SQLITE_BUSY whatever the timeout, when another process wrote
//   between its read and its write; an immediate one takes the write lock
//   first, and waits for it.

export type HistoryDatabase = BetterSqlite3.Database;

export const HISTORY_FILE = 'history.db';

/** How long a writer waits for another process's transaction. */
const BUSY_TIMEOUT_MS = 15_000;

/** Where the history of runs with this storeDir is kept. */
export const historyPath = (storeDir: string): string => join(storeDir, HISTORY_FILE);

// Loaded on the first use, not with the CLI: `flow --help` never needs it.
let driver: typeof BetterSqlite3 | undefined;
const loadDriver = (): typeof BetterSqlite3 =>
  (driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3);

export interface OpenOptions {
  /** Make storeDir and the database when they do not exist (recording); otherwise undefined is returned for a missing one. */
  readonly create: boolean;
}

/**
 * Opens (and, with `create`, makes) the history in `storeDir`, migrated to
 * the current schema. Undefined when it does not exist and `create` is off.
 * Throws what SQLite throws for a file that is not a database or cannot be
 * written, and HistoryTooNewError for one of a newer flowrun.
 */
export function openHistory(storeDir: string, options: { readonly create: true }): HistoryDatabase;
export function openHistory(storeDir: string, options: OpenOptions): HistoryDatabase | undefined;
export function openHistory(storeDir: string, options: OpenOptions): HistoryDatabase | undefined {
  const Database = loadDriver();
  const path = historyPath(storeDir);
  if (options.create) {
    makeDirs(storeDir);
  } else if (!existsSync(path)) {
    return undefined;
  }
  const db = new Database(path, { fileMustExist: !options.create, timeout: BUSY_TIMEOUT_MS });
  try {
    // Freed pages go back to the file only with incremental vacuum (which
    // flow runs prune uses). It must be chosen before the first table, and
    // before WAL is, and it changes nothing in a database that has tables.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // In WAL, NORMAL loses at most the last transactions on a power loss,
    // never the database; FULL would sync on every commit.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
