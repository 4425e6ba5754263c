import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BatchedLines, type BatchableStream } from '../../../src/logging/batched-lines.js';

// A stream that keeps each write it was given, apart, in one shared order.
const recordingStream = (name: string, order: string[]): BatchableStream & { destroyed: boolean } => ({
  destroyed: false,
  write(chunk: unknown) {
    order.push(`${name}:${String(chunk)}`);
    return true;
  },
});

describe('BatchedLines', () => {
  it('writes the lines of one turn of the event loop together, once the thread is about to wait', async () => {
    const order: string[] = [];
    const lines = new BatchedLines(recordingStream('err', order), []);
    lines.write('a\n');
    lines.write('b\n');
    assert.deepEqual(order, []);
    await nextTurn();
    assert.deepEqual(order, ['err:a\nb\n']);
    lines.close();
  });

  it('writes what is pending before anything else is written to its stream or a neighbour', () => {
    const order: string[] = [];
    const err = recordingStream('err', order);
    const out = recordingStream('out', order);
    const lines = new BatchedLines(err, [out]);
    lines.write('line 1\n');
    out.write('print\n');
    lines.write('line 2\n');
    err.write('warning\n');
    assert.deepEqual(order, ['err:line 1\n', 'out:print\n', 'err:line 2\n', 'err:warning\n']);
    lines.close();
  });

  it('writes before task code runs, except for the later calls of a burst', () => {
    const order: string[] = [];
    const lines = new BatchedLines(recordingStream('err', order), []);
    lines.write('before the first task\n');
    lines.beforeUserCode();
    assert.deepEqual(order, ['err:before the first task\n']);
    for (let index = 0; index < 1_000; index += 1) {
      lines.write(`task ${index}\n`);
      lines.beforeUserCode();
    }
    // A thousand calls take far less than a millisecond each: at most 8 a millisecond write.
    assert.ok(order.length < 500, `${order.length} writes for 1,000 calls`);
    lines.close();
    assert.equal(order.join('').match(/task \d+/g)?.length, 1_000);
  });

  it('writes once 64 KiB have gathered, without waiting', () => {
    const order: string[] = [];
    const lines = new BatchedLines(recordingStream('err', order), []);
    const line = `${'x'.repeat(1023)}\n`;
    for (let index = 0; index < 64; index += 1) {
      lines.write(line);
    }
    assert.equal(order.length, 1);
    assert.equal(order[0]?.length, 'err:'.length + 64 * 1024);
    lines.close();
  });

  it('on close writes what is pending, gives the streams their own write back, and writes later lines at once', () => {
    const order: string[] = [];
    const err = recordingStream('err', order);
    const out = recordingStream('out', order);
    const ownWrites = [err.write, out.write];
    const lines = new BatchedLines(err, [out]);
    assert.notEqual(err.write, ownWrites[0]);
    lines.write('pending\n');
    lines.close();
    assert.deepEqual([err.write, out.write], ownWrites);
    lines.write('after close\n');
    assert.deepEqual(order, ['err:pending\n', 'err:after close\n']);
  });

  it('drops the lines of a stream whose reader is gone', () => {
    const order: string[] = [];
    const err = recordingStream('err', order);
    const lines = new BatchedLines(err, []);
    err.destroyed = true;
    lines.write('nobody reads this\n');
    lines.close();
    assert.deepEqual(order, []);
  });
});
