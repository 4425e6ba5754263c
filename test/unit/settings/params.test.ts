import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ParameterError, UsageError } from '../../../src/errors.js';
import { secret } from '../../../src/settings/secret-schema.js';
import {
  parseParamFlag,
  parseParamsJson,
  toParameterInputs,
  validateParameters,
  type ParameterInputs,
} from '../../../src/settings/params.js';

// Builds the inputs the CLI would collect from `--param k=v` flags.
const fromFlags = (...flags: string[]): ParameterInputs =>
  Object.fromEntries(flags.map((text) => {
    const { key, value } = parseParamFlag(text);
    return [key, value];
  }));

describe('parseParamFlag', () => {
  it('reads a number as JSON', () => {
    const { key, value } = parseParamFlag('stop=5');
    assert.equal(key, 'stop');
    assert.equal(value.value, 5);
    assert.equal(value.raw, '5');
    assert.equal(value.source, '--param stop=5');
  });

  it('reads booleans, arrays, objects and null as JSON', () => {
    assert.equal(parseParamFlag('flag=true').value.value, true);
    assert.equal(parseParamFlag('flag=false').value.value, false);
    assert.deepEqual(parseParamFlag('list=[1,2]').value.value, [1, 2]);
    assert.deepEqual(parseParamFlag('obj={"a":1}').value.value, { a: 1 });
    assert.equal(parseParamFlag('nothing=null').value.value, null);
  });

  it('keeps text that is not JSON as a string', () => {
    assert.equal(parseParamFlag('name=abc').value.value, 'abc');
    assert.equal(parseParamFlag('name=hello world').value.value, 'hello world');
  });

  it('gives an empty string for an empty value', () => {
    const { key, value } = parseParamFlag('name=');
    assert.equal(key, 'name');
    assert.equal(value.value, '');
  });

  it("keeps everything after the first '=' in the value", () => {
    const { key, value } = parseParamFlag('eq=a=b');
    assert.equal(key, 'eq');
    assert.equal(value.value, 'a=b');
    assert.equal(value.raw, 'a=b');
  });

  it("rejects a flag without '=' with a UsageError naming the flag", () => {
    assert.throws(
      () => parseParamFlag('stop'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--param/);
        assert.match(error.message, /"stop"/);
        assert.match(error.message, /no '='/);
        return true;
      },
    );
  });

  it('rejects an empty key with a UsageError naming the flag', () => {
    assert.throws(
      () => parseParamFlag('=5'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--param "=5"/);
        assert.match(error.message, /key is empty/);
        return true;
      },
    );
  });
});

describe('parseParamsJson', () => {
  it('reads a JSON object, each value tagged with its source', () => {
    const inputs = parseParamsJson('{"stop": 5, "name": "abc"}', '--params');
    assert.deepEqual(inputs, {
      stop: { value: 5, source: '--params', shared: false },
      name: { value: 'abc', source: '--params', shared: false },
    });
  });

  it('rejects an array, naming the source', () => {
    assert.throws(
      () => parseParamsJson('[1,2]', '--params'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /^--params must be a JSON object/);
        assert.match(error.message, /got \[1,2\]/);
        return true;
      },
    );
  });

  it('rejects a number, naming the source', () => {
    assert.throws(
      () => parseParamsJson('5', 'FLOW_PARAMS'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /^FLOW_PARAMS must be a JSON object/);
        assert.match(error.message, /got 5/);
        return true;
      },
    );
  });

  it('rejects null, naming the source', () => {
    assert.throws(() => parseParamsJson('null', '--params'), (error: unknown) => error instanceof UsageError && /^--params /.test(error.message));
  });

  it('rejects malformed JSON, naming the source', () => {
    assert.throws(
      () => parseParamsJson('{stop: 5', 'FLOW_PARAMS'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /^FLOW_PARAMS must be a JSON object/);
        return true;
      },
    );
  });
});

describe('validateParameters', () => {
  const schema = z.object({
    stop: z.number(),
    name: z.string().default('world'),
  });

  it('returns validated values with defaults applied', () => {
    assert.deepEqual(validateParameters('etl', schema, fromFlags('stop=5')), { stop: 5, name: 'world' });
  });

  it('keeps the text as typed for a string field (--param name=5 stays "5")', () => {
    assert.deepEqual(validateParameters('etl', schema, fromFlags('stop=5', 'name=5')), { stop: 5, name: '5' });
  });

  it('keeps JSON-looking text as typed for a string field', () => {
    assert.deepEqual(validateParameters('etl', schema, fromFlags('stop=1', 'name=true')), { stop: 1, name: 'true' });
    assert.deepEqual(validateParameters('etl', schema, fromFlags('stop=1', 'name="quoted"')), { stop: 1, name: '"quoted"' });
  });

  it('keeps the text for optional string fields and string enums', () => {
    const other = z.object({ tag: z.string().optional(), mode: z.enum(['1', '2']) });
    assert.deepEqual(validateParameters('etl', other, fromFlags('tag=42', 'mode=2')), { tag: '42', mode: '2' });
  });

  it('says a missing required parameter is required and names it', () => {
    assert.throws(
      () => validateParameters('etl', schema, {}),
      (error: unknown) => {
        assert.ok(error instanceof ParameterError);
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /'stop'/);
        assert.match(error.message, /required/);
        assert.match(error.message, /--param stop=/);
        return true;
      },
    );
  });

  it('names the parameter, the expected type, the value and its source for a wrong type', () => {
    assert.throws(
      () => validateParameters('etl', schema, fromFlags('stop=abc')),
      (error: unknown) => {
        assert.ok(error instanceof ParameterError);
        assert.equal(error.message, `parameter 'stop' must be a number, got "abc" (from --param stop=abc)`);
        return true;
      },
    );
  });

  it('says "an integer" for a fractional value of an int field', () => {
    const ints = z.object({ stop: z.number().int() });
    assert.throws(
      () => validateParameters('etl', ints, fromFlags('stop=5.5')),
      (error: unknown) => {
        assert.ok(error instanceof ParameterError);
        assert.equal(error.message, `parameter 'stop' must be an integer, got 5.5 (from --param stop=5.5)`);
        return true;
      },
    );
  });

  it('names --params as the source of a wrong value from a JSON object', () => {
    assert.throws(
      () => validateParameters('etl', schema, parseParamsJson('{"stop": 1, "name": 5}', '--params')),
      (error: unknown) => {
        assert.ok(error instanceof ParameterError);
        assert.equal(error.message, `parameter 'name' must be a string, got 5 (from --params)`);
        return true;
      },
    );
  });

  it('rejects an unknown parameter, listing the known ones and suggesting the closest', () => {
    assert.throws(
      () => validateParameters('etl', schema, fromFlags('stpo=5')),
      (error: unknown) => {
        assert.ok(error instanceof ParameterError);
        assert.match(error.message, /flow 'etl' has no parameter 'stpo'/);
        assert.match(error.message, /--param stpo=5/);
        assert.match(error.message, /stop, name/);
        assert.match(error.message, /did you mean 'stop'\?/);
        return true;
      },
    );
  });

  it('drops an unknown parameter that comes from shared defaults', () => {
    const inputs: ParameterInputs = {
      ...toParameterInputs({ region: 'eu', stop: 3 }, 'config file .flowrc (params)', { shared: true }),
    };
    assert.deepEqual(validateParameters('etl', schema, inputs), { stop: 3, name: 'world' });
  });

  it('passes values through as given when the flow has no schema', () => {
    const values = validateParameters('etl', undefined, fromFlags('stop=5', 'name=abc', 'list=[1,2]', 'count=07x'));
    assert.deepEqual(values, { stop: 5, name: 'abc', list: [1, 2], count: '07x' });
  });
});

describe('validateParameters with a secret parameter', () => {
  const schema = z.object({ token: secret().min(12), stop: z.number() });
  const refuse = (inputs: ParameterInputs, flowSchema: z.ZodType = schema): string => {
    try {
      validateParameters('deploy', flowSchema, inputs);
    } catch (error) {
      assert.ok(error instanceof ParameterError, String(error));
      return error.message;
    }
    assert.fail('the parameters were accepted');
  };

  it('hands the flow the value as given', () => {
    assert.deepEqual(validateParameters('deploy', schema, fromFlags('token=hunter2-very-secret', 'stop=5')), { token: 'hunter2-very-secret', stop: 5 });
    // Text that reads as JSON stays the text, as for any string parameter.
    assert.deepEqual(validateParameters('deploy', schema, fromFlags('token=123456789012', 'stop=5')), { token: '123456789012', stop: 5 });
  });

  it('names the problem and where the value came from, never the value', () => {
    assert.equal(
      refuse(fromFlags('token=hunter2', 'stop=5')),
      "parameter 'token' is invalid: Too small: expected string to have >=12 characters, got ******** (from --param token=********)",
    );
    assert.equal(
      refuse(parseParamsJson('{"token": 12345678901234, "stop": 5}', '--params')),
      "parameter 'token' must be a string, got ******** (from --params)",
    );
    assert.equal(refuse(fromFlags('token=')), "parameter 'token' is invalid: Too small: expected string to have >=12 characters, got ******** (from --param token=********); parameter 'stop' is required (a number); pass it with --param stop=<value>");
  });

  it('says a missing one is a secret string', () => {
    assert.equal(refuse(fromFlags('stop=5')), "parameter 'token' is required (a secret string); pass it with --param token=<value>");
  });

  it('masks the value in a message of the flow’s own that quotes it', () => {
    const quoting = z.object({ token: secret().refine((value) => value.startsWith('ghp_'), { error: (issue) => `${String(issue.input)} is no GitHub token` }) });
    assert.equal(
      refuse(fromFlags('token=hunter2-very-secret'), quoting),
      "parameter 'token' is invalid: ******** is no GitHub token, got ******** (from --param token=********)",
    );
  });

  it('does not echo a key the flow does not take when the flow has secrets: it may be a misspelt one', () => {
    assert.match(refuse(fromFlags('tokn=hunter2-very-secret', 'stop=5')), /^flow 'deploy' has no parameter 'tokn' \(from --param tokn=\*{8}\); .*did you mean 'token'/);
    assert.match(refuse(fromFlags('stopp=5'), z.object({ stop: z.number() })), /\(from --param stopp=5\)/);
  });
});
