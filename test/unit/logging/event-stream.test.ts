import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunEventStream } from '../../../src/logging/event-stream.js';
import { LOG_LEVELS } from '../../../src/logging/levels.js';
import type { LogRecord } from '../../../src/logging/records.js';
import type { RunReporter } from '../../../src/logging/reporter.js';
import { MemoryReporter } from '../../helpers/memory-reporter.js';

const line = (level: LogRecord['level'], text: string): LogRecord => ({
  kind: 'message',
  time: 0,
  level,
  source: { kind: 'logger', name: 'test' },
  text,
});

describe('RunEventStream', () => {
  it('gives each sink the records at or above its own level, and the engine the lowest level', () => {
    const warnings = new MemoryReporter(LOG_LEVELS.WARNING);
    const everything = new MemoryReporter(LOG_LEVELS.DEBUG);
    const stream = new RunEventStream([warnings, everything], () => assert.fail('no sink fails'));
    assert.equal(stream.level, LOG_LEVELS.DEBUG);
    stream.log(line(LOG_LEVELS.INFO, 'info'));
    stream.log(line(LOG_LEVELS.ERROR, 'error'));
    assert.deepEqual(warnings.messages, ['test - error']);
    assert.deepEqual(everything.messages, ['test - info', 'test - error']);
  });

  it('drops a sink that throws, says so once, and goes on with the others', () => {
    const console = new MemoryReporter(LOG_LEVELS.INFO);
    let calls = 0;
    const broken: RunReporter = {
      level: LOG_LEVELS.INFO,
      log: () => {
        calls += 1;
        throw new Error('disk full');
      },
      taskRunStateChanged: () => undefined,
      close: () => undefined,
    };
    const failures: string[] = [];
    const stream = new RunEventStream([broken, console], (_sink, error) => failures.push((error as Error).message));
    stream.log(line(LOG_LEVELS.INFO, 'one'));
    stream.log(line(LOG_LEVELS.INFO, 'two'));
    stream.close();
    assert.deepEqual(console.messages, ['test - one', 'test - two']);
    assert.deepEqual(failures, ['disk full']);
    assert.equal(calls, 1);
    assert.equal(console.closed, true);
  });
});
