import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ParameterError } from '../../../src/errors.js';
import { Flow } from '../../../src/graph/flow-graph.js';
import { Parameter } from '../../../src/graph/parameter.js';
import { renderGraph } from '../../../src/graph/render.js';
import { SequentialTaskRunner } from '../../../src/runners/sequential.js';
import { secret } from '../../../src/settings/secret-schema.js';
import { secretParameterNames } from '../../../src/settings/secret.js';
import { validateParameters, type ParameterInputs } from '../../../src/settings/params.js';
import { describeExpected, getDefault, getObjectShape, isOptionalField } from '../../../src/settings/zod-introspect.js';
import { task } from '../../../src/tasks/task.js';
import { createTestRuntime } from '../../helpers/memory-reporter.js';

// A Parameter with a zod schema is checked and read from the command line as
// a Prefect 2 flow's params are.

const show = task('show', (stop: unknown, name: unknown) => [stop, name]);

const typedFlow = new Flow('typed-graph', () => {
  show(new Parameter('stop', { schema: z.number().int() }), new Parameter('name', { schema: z.string(), default: 'x' }));
});

// What `--param key=text` gives validateParameters.
const fromFlags = (flags: Record<string, string>): ParameterInputs =>
  Object.fromEntries(
    Object.entries(flags).map(([key, raw]) => {
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // not JSON: the text itself
      }
      return [key, { value, raw, source: `--param ${key}=${raw}` }];
    }),
  );

const problem = (flags: Record<string, string>): string => {
  try {
    validateParameters(typedFlow.name, typedFlow.params, fromFlags(flags));
  } catch (error) {
    assert.ok(error instanceof ParameterError, String(error));
    return error.message;
  }
  assert.fail('the parameters were accepted');
};

describe('a Parameter with a schema', () => {
  it('reads --param text as its schema expects: a number for a number, the text for a string', () => {
    assert.deepEqual(validateParameters(typedFlow.name, typedFlow.params, fromFlags({ stop: '5', name: '5' })), { stop: 5, name: '5' });
  });

  it('refuses a value its schema does not take, naming the parameter, what it must be and where the value came from', () => {
    assert.equal(problem({ stop: 'abc' }), 'parameter \'stop\' must be a number, got "abc" (from --param stop=abc)');
    assert.equal(problem({ stop: '1.5' }), "parameter 'stop' must be an integer, got 1.5 (from --param stop=1.5)");
    assert.equal(problem({}), "parameter 'stop' is required (a number); pass it with --param stop=<value>");
  });

  it('gives flow ls its type, and its default or that it is required', () => {
    const shape = getObjectShape(typedFlow.params) ?? {};
    assert.deepEqual(
      Object.entries(shape).map(([name, field]) => [name, describeExpected(field), getDefault(field)?.value ?? (isOptionalField(field) ? 'optional' : 'required')]),
      [
        ['stop', 'number', 'required'],
        ['name', 'string', 'x'],
      ],
    );
  });

  it('refuses, where it is made, a default its schema does not take', () => {
    assert.throws(
      () => new Parameter('stop', { schema: z.number(), default: 'five' as never }),
      (error: unknown) => error instanceof ParameterError && error.message === 'parameter \'stop\' must be a number, got "five" (from its default in new Parameter(\'stop\'))',
    );
  });

  it('is optional when its schema takes no value, and takes the schema\'s own default', () => {
    const optional = new Parameter('limit', { schema: z.number().optional() });
    const defaulted = new Parameter('retries', { schema: z.number().default(3) });
    assert.deepEqual([optional.required, optional.default], [false, undefined]);
    assert.deepEqual([defaulted.required, defaulted.default], [false, 3]);
  });

  it('hands its task the validated value: a default, a coerced value, and a null given on purpose', async () => {
    const passed = task('passed', (value: unknown) => value);
    const flow = new Flow('nullable-graph', () => {
      passed(new Parameter('limit', { schema: z.number().nullable(), default: 10 }));
      passed(new Parameter('when', { schema: z.coerce.date() }));
    });
    const run = async (parameters: Record<string, unknown>): Promise<unknown> => {
      const outcome = await flow.execute(flow.validate(parameters), { runner: new SequentialTaskRunner(), runtime: createTestRuntime() });
      assert.equal(outcome.state.type, 'COMPLETED', outcome.state.message);
      return outcome.state.data;
    };
    assert.deepEqual(await run({ when: '2024-01-02' }), [10, new Date('2024-01-02')]);
    assert.deepEqual(await run({ limit: null, when: 0 }), [null, new Date(0)]);
  });
});

describe('a Parameter with a secret() schema', () => {
  const use = task('use', (token: unknown) => (typeof token === 'string' ? token.length : -1));

  it('is a secret of the flow, whose task gets the real value', async () => {
    const flow = new Flow('secret-graph', () => {
      use(new Parameter('token', { schema: secret() }));
    });
    assert.deepEqual([...secretParameterNames(flow.params)], ['token']);
    const outcome = await flow.execute(flow.validate({ token: 'hunter2-very-secret' }), { runner: new SequentialTaskRunner(), runtime: createTestRuntime() });
    assert.deepEqual(outcome.state.data, ['hunter2-very-secret'.length]);
  });

  it('stays secret with a default, which flow graph does not show', () => {
    const flow = new Flow('secret-default-graph', () => {
      use(new Parameter('token', { schema: secret(), default: 'default-token-value' }));
    });
    assert.deepEqual([...secretParameterNames(flow.params)], ['token']);
    const drawing = renderGraph(flow, 'text');
    assert.match(drawing, /\[1\] token \(Parameter, default \*{8}\)/);
    assert.ok(!drawing.includes('default-token-value'), drawing);
  });

  it('refuses a default its schema does not take without quoting it', () => {
    assert.throws(
      () => new Parameter('token', { schema: secret().min(30), default: 'default-token-value' }),
      (error: unknown) =>
        error instanceof ParameterError &&
        !error.message.includes('default-token-value') &&
        error.message.endsWith("got ******** (from its default in new Parameter('token'))"),
    );
  });
});
