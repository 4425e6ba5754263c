import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readStoredResult, storedResultPath, writeStoredResult } from '../../../src/engine/result-store.js';
import { ConcurrentTaskRunner, flow, task, taskInputHash } from '../../../src/index.js';
import { createTestRuntime } from '../../helpers/memory-reporter.js';

const root = mkdtempSync(join(tmpdir(), 'flowrun-result-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

let stores = 0;
// A store holding one entry for 'k', and the path of its file.
const storeWithEntry = async (): Promise<{ storeDir: string; file: string }> => {
  const storeDir = join(root, `store-${(stores += 1)}`);
  await writeStoredResult(storeDir, { key: 'k', taskKey: 't', createdAt: 0, expiresAt: undefined, value: { n: 1 } }, 't');
  const [name] = readdirSync(join(storeDir, 'results'));
  return { storeDir, file: join(storeDir, 'results', name ?? '') };
};

describe('readStoredResult', () => {
  it('finds a stored entry, and misses silently where there is none or it expired', async () => {
    const { storeDir } = await storeWithEntry();
    const hit = await readStoredResult(storeDir, 'k', Date.now());
    assert.equal(hit.kind, 'hit');
    assert.deepEqual(hit.kind === 'hit' ? hit.entry.value : undefined, { n: 1 });
    // A miss says why, for --log-level debug.
    assert.deepEqual(await readStoredResult(storeDir, 'other', Date.now()), { kind: 'miss', file: storedResultPath(storeDir, 'other'), why: 'no entry' });
    const noStore = join(root, 'no-such-store');
    assert.deepEqual(await readStoredResult(noStore, 'k', Date.now()), { kind: 'miss', file: storedResultPath(noStore, 'k'), why: 'no entry' });
    const expiring = join(root, 'expiring');
    await writeStoredResult(expiring, { key: 'k', taskKey: 't', createdAt: 0, expiresAt: 1000, value: 1 }, 't');
    assert.deepEqual(await readStoredResult(expiring, 'k', 999), { kind: 'hit', entry: { key: 'k', taskKey: 't', createdAt: 0, expiresAt: 1000, value: 1 } });
    assert.deepEqual(await readStoredResult(expiring, 'k', 1000), { kind: 'miss', file: storedResultPath(expiring, 'k'), why: 'expired' });
  });

  it('says which file cannot be used and why: not JSON, not an entry, a directory, a file for a directory', async () => {
    const corrupt = await storeWithEntry();
    writeFileSync(corrupt.file, '{"key": "k", "val');
    const unparsable = await readStoredResult(corrupt.storeDir, 'k', 0);
    assert.equal(unparsable.kind === 'unreadable' ? unparsable.file : unparsable.kind, corrupt.file);
    assert.match(unparsable.kind === 'unreadable' ? unparsable.problem : '', /^is not valid JSON \(.*JSON.*\)$/);

    const notEntry = await storeWithEntry();
    writeFileSync(notEntry.file, 'null');
    assert.deepEqual(await readStoredResult(notEntry.storeDir, 'k', 0), { kind: 'unreadable', file: notEntry.file, problem: 'is not a stored result: it has no key' });

    const directory = await storeWithEntry();
    rmSync(directory.file);
    mkdirSync(directory.file);
    assert.deepEqual(await readStoredResult(directory.storeDir, 'k', 0), { kind: 'unreadable', file: directory.file, problem: 'is a directory, not a file' });

    const fileAsStore = join(root, 'a-file');
    writeFileSync(fileAsStore, '');
    const lookup = await readStoredResult(fileAsStore, 'k', 0);
    assert.equal(lookup.kind, 'unreadable');
    assert.equal(lookup.kind === 'unreadable' ? lookup.problem : '', 'cannot be read: a part of its path is a file, not a directory');
  });

  it('says an entry cannot be read for want of permission', { skip: process.getuid?.() === 0 ? 'running as root, whom file permissions do not stop' : false }, async () => {
    const { storeDir, file } = await storeWithEntry();
    chmodSync(file, 0o000);
    assert.deepEqual(await readStoredResult(storeDir, 'k', 0), { kind: 'unreadable', file, problem: 'cannot be read: permission denied' });
  });
});

const square = task({ name: 'store_square', cacheKeyFn: taskInputHash }, (x: number) => x * x);

describe('an unreadable cache entry', () => {
  it('is a WARNING under the task run naming the file and the cause; the task runs and its result replaces the entry', async () => {
    const storeDir = join(root, 'flow-store');
    const runSquare = async () => {
      const runtime = createTestRuntime();
      const { state } = await flow({ name: 'squares' }, async () => square(3)).execute({}, { runner: new ConcurrentTaskRunner(), runtime, storeDir });
      return { state, lines: runtime.reporter.messages.filter((line) => line.startsWith("Task run 'store_square-")) };
    };
    const first = await runSquare();
    assert.ok(!first.lines.some((line) => line.includes('cannot be used')), first.lines.join('\n'));
    const [name] = readdirSync(join(storeDir, 'results'));
    writeFileSync(join(storeDir, 'results', name ?? ''), 'not json');

    const second = await runSquare();
    const warning = second.lines.find((line) => line.includes('cannot be used'));
    assert.match(
      warning ?? second.lines.join('\n'),
      /^Task run 'store_square-[0-9a-f]{8}-0' - The cached result of task 'store_square' cannot be used: .*results\/[0-9a-f]{40}\.json is not valid JSON \(Unexpected token .*\)\. The task runs as if nothing were cached\.$/,
    );
    assert.match(second.lines.at(-1) ?? '', /Finished in state Completed\(\)$/);
    assert.equal(second.state.type, 'COMPLETED');

    const third = await runSquare();
    assert.match(third.lines.at(-1) ?? '', /Finished in state Cached\(type=COMPLETED\)$/);
  });
});
