import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FlowrunError, ParameterError, ShellCommandError, UsageError } from '../../../src/errors.js';
import { deserializeError } from '../../../src/runners/parallel/deserialize.js';
import { MAX_DEPTH, serializeError } from '../../../src/runners/parallel/serialize.js';
import { formatException } from '../../../src/states/from-outcome.js';

// What a task threw, across the worker boundary: serialized on the worker,
// carried by structured clone (as postMessage does), rebuilt on the main thread.
const roundTrip = (thrown: unknown): unknown => deserializeError(structuredClone(serializeError(thrown)));

class NotFoundError extends Error {
  status = 404;
  code = 'ENOENT';
  // A method lives on the prototype: it cannot cross, and is not looked for.
  describe(): string {
    return `${this.status}`;
  }
}

class NamedError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'NamedError';
  }
}

class Client {
  readonly host = 'db.local';
  connect = (): void => undefined;
}

describe('serializeError / deserializeError', () => {
  it("brings a ShellCommandError back as itself, with its exit code, stderr tail and code", () => {
    const original = new ShellCommandError('Command failed with exit code 3: make', 3, ['first problem', 'bad thing']);
    const back = roundTrip(original);
    assert.ok(back instanceof ShellCommandError);
    assert.ok(back instanceof FlowrunError);
    assert.equal(back.exitCode, 3);
    assert.deepEqual(back.stderrTail, ['first problem', 'bad thing']);
    assert.equal(back.code, 'FLOWRUN_SHELL_COMMAND');
    assert.equal(back.name, 'ShellCommandError');
    assert.equal(back.message, original.message);
    assert.equal(back.stack, original.stack);
    assert.equal(formatException(back), formatException(original));
    assert.deepEqual(Object.keys(back), Object.keys(original));
  });

  it("brings flowrun's other errors and the built-in ones back as their own class", () => {
    const parameter = roundTrip(new ParameterError('stop must be a number'));
    assert.ok(parameter instanceof ParameterError && parameter instanceof UsageError);
    assert.equal(parameter.code, 'FLOWRUN_PARAMETER');
    const range = roundTrip(new RangeError('too far'));
    assert.ok(range instanceof RangeError);
    assert.equal(formatException(range), 'RangeError: too far');
  });

  it("recognises flowrun's classes from another copy of flowrun by name, and only those", () => {
    class OtherFlowrunError extends Error {}
    OtherFlowrunError.prototype.name = 'FlowrunError';
    class OtherShellCommandError extends OtherFlowrunError {}
    OtherShellCommandError.prototype.name = 'ShellCommandError';
    const back = roundTrip(Object.assign(new OtherShellCommandError('failed'), { exitCode: 2 }));
    assert.ok(back instanceof ShellCommandError);
    assert.equal(back.exitCode, 2);

    class ConfigError extends Error {}
    ConfigError.prototype.name = 'ConfigError';
    const lookalike = roundTrip(new ConfigError('mine'));
    assert.equal(lookalike instanceof FlowrunError, false);
    assert.equal((lookalike as Error).constructor.name, 'ConfigError');
    assert.equal(formatException(lookalike), 'ConfigError: mine');
  });

  it("keeps a user's own subclass: its fields, name, message, stack, class name and known ancestor", () => {
    const original = new NotFoundError('no such page', { cause: new Error('socket closed') });
    const back = roundTrip(original) as NotFoundError;
    assert.ok(back instanceof Error);
    assert.equal(back.constructor.name, 'NotFoundError');
    assert.equal(back.status, 404);
    assert.equal(back.code, 'ENOENT');
    assert.equal(back.message, 'no such page');
    assert.equal(back.stack, original.stack);
    assert.ok(back.cause instanceof Error);
    assert.equal(back.cause.message, 'socket closed');
    assert.equal(Object.prototype.propertyIsEnumerable.call(back, 'cause'), false);
    assert.equal(formatException(back), formatException(original));

    const named = roundTrip(new NamedError('bad input'));
    assert.ok(named instanceof TypeError);
    assert.equal(formatException(named), 'NamedError: bad input');
  });

  it("keeps an AggregateError's errors", () => {
    const back = roundTrip(new AggregateError([new Error('one'), 'two'], 'both failed'));
    assert.ok(back instanceof AggregateError);
    assert.equal(back.errors.length, 2);
    assert.ok(back.errors[0] instanceof Error);
    assert.equal((back.errors[0]).message, 'one');
    assert.equal(back.errors[1], 'two');
    assert.equal(formatException(back), 'AggregateError: both failed');
  });

  it('keeps thrown values that are not Errors what they were', () => {
    for (const thrown of ['just a string', 42, undefined, null, false, 10n]) {
      const back = roundTrip(thrown);
      assert.equal(back, thrown);
      assert.equal(formatException(back), formatException(thrown));
    }
    const object = { code: 42, reason: 'x', nested: [1, { deep: true }], when: new Date(0), map: new Map([['k', new Set([1])]]), nothing: undefined };
    assert.deepStrictEqual(roundTrip(object), object);
    assert.equal(formatException(roundTrip({ code: 42, reason: 'x' })), 'Thrown value: {"code":42,"reason":"x"}');
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    assert.deepStrictEqual(roundTrip(bare), bare);
    assert.ok(Buffer.isBuffer(roundTrip(Buffer.from('bytes'))));
  });

  it('describes what structured clone cannot carry instead of failing the send', () => {
    const original = Object.assign(new Error('with odd fields'), {
      callback: () => 1,
      tag: Symbol('tag'),
      client: new Client(),
      url: new URL('https://example.com/a'),
      list: [() => 2, 'kept'],
    });
    assert.doesNotThrow(() => structuredClone(serializeError(original)));
    const back = roundTrip(original) as Record<string, unknown>;
    assert.equal('callback' in back, false);
    assert.equal(typeof back.tag, 'symbol');
    assert.equal((back.tag as symbol).description, 'tag');
    assert.deepStrictEqual(back.client, { host: 'db.local' });
    assert.equal(back.url, 'https://example.com/a');
    assert.deepStrictEqual(back.list, [undefined, 'kept']);

    const thrownSymbol = Symbol('signal');
    assert.equal(formatException(roundTrip(thrownSymbol)), formatException(thrownSymbol));
    const thrownFunction = function failFast(): void {};
    assert.equal(formatException(roundTrip(thrownFunction)), formatException(thrownFunction));
  });

  it('survives getters that throw and revoked proxies', () => {
    const original = new Error('odd');
    Object.defineProperty(original, 'broken', { enumerable: true, get: () => { throw new Error('no access'); } });
    const back = roundTrip(original) as { broken: unknown };
    assert.equal(back.broken, '[Unreadable: Error: no access]');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const holder = roundTrip({ inner: proxy }) as { inner: unknown };
    assert.match(String(holder.inner), /^\[Unreadable: TypeError/);
  });

  it('keeps circular and shared references without hanging', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const back = roundTrip(cyclic) as Record<string, unknown>;
    assert.equal(back.self, back);
    assert.equal(formatException(back), formatException(cyclic));

    const selfCaused = new Error('its own cause');
    selfCaused.cause = selfCaused;
    const error = roundTrip(selfCaused) as Error;
    assert.equal(error.cause, error);

    const shared = { id: 1 };
    const pair = roundTrip({ left: shared, right: shared }) as { left: unknown; right: unknown };
    assert.equal(pair.left, pair.right);
  });

  it('cuts a cause chain or a value nested too deep, and a value too large, with a description', () => {
    let chain = new Error('root');
    for (let index = 0; index < 100; index += 1) {
      chain = new Error(`level ${index}`, { cause: chain });
    }
    let back = roundTrip(chain) as { cause?: unknown };
    let depth = 0;
    while (back.cause instanceof Error) {
      back = back.cause;
      depth += 1;
    }
    assert.ok(depth > 5 && depth <= MAX_DEPTH, `kept ${depth} causes`);
    assert.match(String(back.cause), /^\[Truncated: nested more than \d+ levels deep\]$/);

    const wide = Array.from({ length: 50_000 }, (_, index) => ({ index }));
    const cut = roundTrip(wide) as unknown[];
    assert.ok(cut.length > 1000 && cut.length < wide.length, `kept ${cut.length} items`);
    assert.deepStrictEqual(cut.slice(0, 3), wide.slice(0, 3));
    assert.match(String(cut.at(-1)), /^\[Truncated: \d+ more items past \d+ values\]$/);
  });

  it('never produces what structured clone refuses, and brings JSON data back deep-equal', () => {
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withDate: true, withTypedArray: true, withBigInt: true, withNullPrototype: true }), (value) => {
        const sent = serializeError(Object.assign(new Error('carrier'), { value, fn: () => value }));
        assert.doesNotThrow(() => structuredClone(sent));
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.deepStrictEqual(roundTrip(value), value);
      }),
    );
  });
});
