import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../../src/errors.js';
import { formatLine } from '../../../src/logging/console-format.js';
import { LOG_LEVELS } from '../../../src/logging/levels.js';
import { PLAIN_STYLES } from '../../../src/logging/styles.js';
import { collectParameterInputs } from '../../../src/settings/parameter-sources.js';
import { parseParamFlag } from '../../../src/settings/params.js';
import { resolveSettings } from '../../../src/settings/resolve.js';
import { aggregateStates } from '../../../src/states/from-outcome.js';
import { Cancelled, Completed, Crashed, Failed, Pending, Running, TimedOut, type State } from '../../../src/states/state.js';
import { pythonRepr } from '../../../src/util/python-repr.js';

// Properties over arbitrary input, where the examples of the other tests
// stop: what users type in flags, what their config files hold, and what
// their tasks put in messages.

// Reads a Python string literal back: the inverse pythonRepr must have.
const readPythonLiteral = (literal: string): string => {
  const quote = literal[0];
  assert.ok((quote === "'" || quote === '"') && literal.endsWith(quote), literal);
  let text = '';
  for (let index = 1; index < literal.length - 1; index += 1) {
    const char = literal[index] ?? '';
    if (char !== '\\') {
      assert.notEqual(char, quote, `an unescaped quote in ${literal}`);
      text += char;
      continue;
    }
    const next = literal[(index += 1)] ?? '';
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' };
    if (next === 'x') {
      text += String.fromCharCode(parseInt(literal.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      assert.ok(next in simple, `an unknown escape \\${next} in ${literal}`);
      text += simple[next];
    }
  }
  return text;
};

const anyText = fc.string({ unit: 'binary', maxLength: 60 });
const paramKey = fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !key.includes('='));

describe('properties', () => {
  it('--param KEY=VALUE keeps the key and the raw text whole, and reads the value as JSON only when it is JSON', () => {
    fc.assert(
      fc.property(paramKey, anyText, (key, raw) => {
        const { key: parsedKey, value } = parseParamFlag(`${key}=${raw}`);
        assert.equal(parsedKey, key);
        assert.equal(value.raw, raw);
        let expected: unknown = raw;
        try {
          expected = JSON.parse(raw);
        } catch {
          // not JSON: the text itself
        }
        assert.deepEqual(value.value, expected);
      }),
    );
  });

  it('--param without a key or an "=" is refused in one line that quotes it', () => {
    fc.assert(
      fc.property(anyText.filter((text) => text.indexOf('=') <= 0), (text) => {
        assert.throws(
          () => parseParamFlag(text),
          (error: unknown) => error instanceof UsageError && !error.message.includes('\n') && error.message.includes(JSON.stringify(text)),
        );
      }),
    );
  });

  it('merges parameters with the later source winning: config params, the flow entry, FLOW_PARAMS, --params, --param', () => {
    const values = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer(), { maxKeys: 4 });
    fc.assert(
      fc.property(values, values, values, values, values, (shared, entry, env, json, flags) => {
        const merged = collectParameterInputs({
          config: { filepath: '/p/.flowrc.json', label: '.flowrc.json', config: { params: shared, flows: { f: { params: entry } } } },
          flowName: 'f',
          env: { FLOW_PARAMS: JSON.stringify(env) },
          paramsJson: JSON.stringify(json),
          paramFlags: Object.entries(flags).map(([key, value]) => `${key}=${value}`),
        });
        const expected = { ...shared, ...entry, ...env, ...json, ...flags };
        assert.deepEqual(Object.fromEntries(Object.entries(merged).map(([key, input]) => [key, input.value])), expected);
      }),
    );
  });

  it('takes each setting from the strongest source that sets it: flag, env, flow entry, flow, config, default', () => {
    const maybeRunner = fc.option(fc.constantFrom('sequential', 'concurrent', 'parallel'), { nil: undefined });
    fc.assert(
      fc.property(maybeRunner, maybeRunner, maybeRunner, maybeRunner, maybeRunner, (flag, env, entry, own, top) => {
        const config: Record<string, unknown> = { ...(top === undefined ? {} : { runner: top }), flows: { f: entry === undefined ? {} : { runner: entry } } };
        const settings = resolveSettings({
          flags: flag === undefined ? {} : { runner: flag },
          env: env === undefined ? {} : { FLOW_RUNNER: env },
          config: { filepath: '/p/.flowrc.json', label: '.flowrc.json', config },
          flowName: 'f',
          flowDefinition: own === undefined ? {} : { runner: own },
        });
        const layers = [
          ['flag', flag],
          ['env', env],
          ['config-flow', entry],
          ['flow', own],
          ['config', top],
        ] as const;
        const winner = layers.find(([, value]) => value !== undefined);
        assert.equal(settings.values.runner, winner?.[1] ?? 'concurrent');
        assert.equal(settings.sources.runner.kind, winner?.[0] ?? 'default');
      }),
    );
  });

  it('quotes any message as Python would, so that it reads back exactly and never breaks the line', () => {
    fc.assert(
      fc.property(anyText, (message) => {
        const literal = pythonRepr(message);
        assert.equal(readPythonLiteral(literal), message);
        const line = formatLine(
          { kind: 'finished', time: 0, level: LOG_LEVELS.ERROR, source: { kind: 'task-run', name: 'say-1a2b3c4d-0', id: 'a', flowRunId: 'b' }, state: Failed({ message }) },
          PLAIN_STYLES,
        );
        assert.ok(!/[\n\r]/.test(line), line);
        const expected = message === '' ? 'Failed()' : `Failed(${literal})`;
        assert.ok(line.endsWith(`| ERROR   | Task run 'say-1a2b3c4d-0' - Finished in state ${expected}`), line);
      }),
    );
  });

  it('ends a set of runs Completed only when every one completed, and counts the rest', () => {
    const anyState = fc.constantFrom<() => State>(
      () => Completed(),
      () => Failed({ message: 'x' }),
      () => TimedOut({ message: 'x' }),
      () => Crashed({ message: 'x' }),
      () => Cancelled({ message: 'x' }),
      () => Pending(),
      () => Running(),
    );
    fc.assert(
      fc.property(fc.array(anyState, { maxLength: 12 }), (makers) => {
        const states = makers.map((make) => make());
        const final = aggregateStates(states);
        const count = (type: string): number => states.filter((state) => state.type === type).length;
        if (states.every((state) => state.type === 'COMPLETED')) {
          assert.equal(final.type, 'COMPLETED');
        } else if (count('CANCELLED') > 0) {
          assert.equal(final.type, 'CANCELLED');
          assert.equal(final.message, `${count('CANCELLED')}/${states.length} states cancelled.`);
        } else {
          assert.equal(final.type, 'FAILED');
          const failed = count('FAILED') + count('CRASHED');
          assert.equal(final.message, failed > 0 ? `${failed}/${states.length} states failed.` : `${states.length - count('COMPLETED')}/${states.length} states are not final.`);
        }
      }),
    );
  });
});
