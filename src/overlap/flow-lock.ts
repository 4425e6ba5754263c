import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { makeDirs } from '../util/make-dirs.js';

// One run at a time of a flow in a project (`--overlap skip|wait`), for cron
// lines that race for the same minute or a run that outlasts its interval.
//
// The lock is an open write transaction (BEGIN IMMEDIATE) on a small SQLite
// file of the flow's own, `<storeDir>/locks/<flow>.lock`: SQLite takes it
// with the operating system's file locks, so exactly one of two processes
// racing for it gets it, and a process that dies (SIGKILL, out of memory)
// releases it with its file descriptors: a dead run holds nobody back, and
// no stale lock file is ever guessed at. Beside it, `<flow>.holder.json`
// says who holds it, for the line a skipped run prints.

export interface LockHolder {
  readonly pid: number;
  readonly since: number;
}

export interface FlowLock {
  /** Gives the lock up (the process's end does too). */
  release(): void;
}

export type LockAttempt = { readonly kind: 'locked'; readonly lock: FlowLock } | { readonly kind: 'held'; readonly holder: LockHolder | undefined };

let driver: typeof BetterSqlite3 | undefined;
const loadDriver = (): typeof BetterSqlite3 => (driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3);

const lockPaths = (storeDir: string, flowName: string): { dir: string; lock: string; holder: string } => {
  const dir = join(storeDir, 'locks');
  // A flow name may hold any character; a file name may not.
  const base = encodeURIComponent(flowName);
  return { dir, lock: join(dir, `${base}.lock`), holder: join(dir, `${base}.holder.json`) };
};

const readHolder = (path: string): LockHolder | undefined => {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number' && typeof holder.since === 'number' ? { pid: holder.pid, since: holder.since } : undefined;
  } catch {
    return undefined;
  }
};

const isBusy = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
};

/** Takes the lock of `flowName` in `storeDir` if nobody holds it; never waits. */
export const tryLockFlow = (storeDir: string, flowName: string): LockAttempt => {
  const paths = lockPaths(storeDir, flowName);
  makeDirs(paths.dir);
  const Database = loadDriver();
  // No busy timeout: a held lock is an answer, not something to wait for here.
  const db = new Database(paths.lock, { timeout: 0 });
  try {
    db.prepare('BEGIN IMMEDIATE').run();
  } catch (error) {
    db.close();
    if (isBusy(error)) {
      return { kind: 'held', holder: readHolder(paths.holder) };
    }
    throw error;
  }
  const temporary = `${paths.holder}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ pid: process.pid, since: Date.now() } satisfies LockHolder));
  renameSync(temporary, paths.holder);
  let released = false;
  return {
    kind: 'locked',
    lock: {
      release: () => {
        if (!released) {
          released = true;
          db.prepare('ROLLBACK').run();
          db.close();
        }
      },
    },
  };
};

/** Takes the lock of `flowName`, waiting (polling) while another process holds it; `onWait` is told once who. */
export const waitForFlowLock = async (storeDir: string, flowName: string, onWait: (holder: LockHolder | undefined) => void, pollMs = 200): Promise<FlowLock> => {
  let told = false;
  for (;;) {
    const attempt = tryLockFlow(storeDir, flowName);
    if (attempt.kind === 'locked') {
      return attempt.lock;
    }
    if (!told) {
      told = true;
      onWait(attempt.holder);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
};
