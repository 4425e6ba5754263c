import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { secret } from '../../../src/settings/secret-schema.js';
import {
  createSecretMasker,
  isSecretSchema,
  MIN_MASKED_LENGTH,
  redactParameters,
  SECRET_MASK,
  secretParameterNames,
} from '../../../src/settings/secret.js';

// Secret parameters, after Prefect's SecretStr: what marks a schema secret,
// and the helpers that keep a secret's value out of what flowrun shows.

describe('secret()', () => {
  it('is a string schema: the flow gets the value as given', () => {
    assert.equal(secret().parse('hunter2-very-secret'), 'hunter2-very-secret');
    assert.equal(secret().safeParse(12345).success, false);
    assert.equal(z.object({ token: secret() }).parse({ token: 's3cr3t-value' }).token, 's3cr3t-value');
  });

  it('takes z.string()’s options and checks', () => {
    const result = secret('a token is needed').safeParse(5);
    assert.equal(result.success, false);
    assert.equal(result.error?.issues[0]?.message, 'a token is needed');
    assert.equal(secret().min(10).safeParse('short').success, false);
    assert.equal(secret().trim().parse('  padded-token  '), 'padded-token');
  });

  it('says it is write-only in a JSON schema, as Pydantic does for SecretStr', () => {
    const json = z.toJSONSchema(z.object({ token: secret().min(3) })) as unknown as { properties: { token: Record<string, unknown> } };
    assert.equal(json.properties.token['type'], 'string');
    assert.equal(json.properties.token['writeOnly'], true);
    assert.equal(json.properties.token['minLength'], 3);
  });
});

describe('isSecretSchema', () => {
  it('is true for secret() and false for other schemas and for what is no schema', () => {
    assert.equal(isSecretSchema(secret()), true);
    for (const other of [z.string(), z.number(), z.string().meta({ writeOnly: true }), z.object({ name: z.string() })]) {
      assert.equal(isSecretSchema(other), false);
    }
    for (const notSchema of [undefined, null, 'secret', 5, {}, { _zod: null }, { meta: () => ({ flowrunSecret: true }) }]) {
      assert.equal(isSecretSchema(notSchema), false);
    }
  });

  it('keeps the mark through checks, descriptions and wrappers', () => {
    const derived = {
      'min()': secret().min(10),
      'regex().max()': secret().regex(/^[a-z]+$/).max(40),
      'trim()': secret().trim(),
      'describe()': secret().describe('the API token'),
      'meta()': secret().meta({ title: 'Token' }),
      'optional()': secret().optional(),
      'default()': secret().default('dev-token'),
      'nullable()': secret().nullable(),
      'nullish()': secret().nullish(),
      'optional().prefault()': secret().optional().prefault('dev-token'),
      'transform()': secret().transform((text) => text.toUpperCase()),
      'z.preprocess(fn, secret())': z.preprocess((value) => String(value), secret()),
      'brand()': secret().brand<'Token'>(),
    };
    for (const [name, schema] of Object.entries(derived)) {
      assert.equal(isSecretSchema(schema), true, name);
    }
  });

  it('is true for a schema that may hold a secret, which is then masked whole', () => {
    assert.equal(isSecretSchema(z.union([secret(), z.number()])), true);
    assert.equal(isSecretSchema(z.object({ user: z.string(), password: secret() })), true);
    assert.equal(isSecretSchema(z.array(secret())), true);
    assert.equal(isSecretSchema(z.record(z.string(), secret())), true);
  });

  it('ends on recursive schemas', () => {
    interface Tree {
      readonly name: string;
      readonly children: Tree[];
    }
    const plain: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(plain) }));
    const holding: z.ZodType<Tree> = z.lazy(() => z.object({ name: secret(), children: z.array(holding) }));
    assert.equal(isSecretSchema(plain), false);
    assert.equal(isSecretSchema(holding), true);
  });
});

describe('secretParameterNames', () => {
  it('gives the keys of a params schema whose values are secret', () => {
    const params = z.object({ token: secret(), backup: secret().optional(), stop: z.number(), name: z.string().default('x') });
    assert.deepEqual([...secretParameterNames(params)], ['token', 'backup']);
    assert.deepEqual([...secretParameterNames(params.optional())], ['token', 'backup']);
  });

  it('is empty for no schema, a schema without secrets, or one that is not an object', () => {
    assert.equal(secretParameterNames(undefined).size, 0);
    assert.equal(secretParameterNames(z.object({ stop: z.number() })).size, 0);
    assert.equal(secretParameterNames(secret()).size, 0);
  });
});

describe('redactParameters', () => {
  const params = z.object({ token: secret(), backup: secret().optional(), stop: z.number() });

  it('masks each secret that is set, and leaves the rest as it is', () => {
    const values = { token: 'hunter2-very-secret', backup: undefined, stop: 5 };
    const redacted = redactParameters(params, values);
    assert.deepEqual(redacted, { token: SECRET_MASK, backup: undefined, stop: 5 });
    assert.ok(Object.hasOwn(redacted, 'backup'));
    assert.deepEqual(redactParameters(params, { stop: 5 }), { stop: 5 });
    assert.deepEqual(redactParameters(params.extend({ token: secret().nullable() }), { token: null }), { token: SECRET_MASK });
  });

  it('gives a copy and leaves the values alone', () => {
    const values = { token: 'hunter2-very-secret', stop: 5 };
    const redacted = redactParameters(params, values);
    assert.notEqual(redacted, values);
    assert.deepEqual(values, { token: 'hunter2-very-secret', stop: 5 });
  });

  it('copies the values as they are when there is no schema or no secret', () => {
    assert.deepEqual(redactParameters(undefined, { token: 'abc', stop: 5 }), { token: 'abc', stop: 5 });
    assert.deepEqual(redactParameters(z.object({ token: z.string() }), { token: 'abc' }), { token: 'abc' });
  });

  it('masks every value when the schema holds a secret but is not one object', () => {
    const either = z.union([z.object({ token: secret() }), z.object({ user: z.string() })]);
    assert.deepEqual(redactParameters(either, { token: 'hunter2-very-secret', user: 'ada' }), { token: SECRET_MASK, user: SECRET_MASK });
  });
});

describe('createSecretMasker', () => {
  it('is the identity when there is nothing to mask', () => {
    const text = 'nothing to hide';
    assert.equal(createSecretMasker([])(text), text);
    assert.equal(createSecretMasker([''])(text), text);
  });

  it('replaces every occurrence of each secret', () => {
    const mask = createSecretMasker(['hunter2-very-secret', 'p4ssw0rd']);
    assert.equal(
      mask('token=hunter2-very-secret, again hunter2-very-secret, and p4ssw0rd'),
      `token=${SECRET_MASK}, again ${SECRET_MASK}, and ${SECRET_MASK}`,
    );
  });

  it('masks a secret that contains another whole', () => {
    assert.equal(createSecretMasker(['abcd', 'abcdefgh'])('x abcdefgh y abcd'), `x ${SECRET_MASK} y ${SECRET_MASK}`);
  });

  it('reads a secret literally, not as a pattern', () => {
    assert.equal(createSecretMasker(['a.b*c+(d)?$1'])('a.b*c+(d)?$1 aXbbbc'), `${SECRET_MASK} aXbbbc`);
  });

  it('masks a secret escaped in JSON, and each line of a secret of several lines', () => {
    assert.equal(createSecretMasker(['pa"ss\\word'])(JSON.stringify({ token: 'pa"ss\\word' })), `{"token":"${SECRET_MASK}"}`);
    const key = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34\n-----END KEY-----';
    const mask = createSecretMasker([key]);
    assert.equal(mask(key), SECRET_MASK);
    assert.equal(mask('line: MIIBOgIBAAJBAKj34'), `line: ${SECRET_MASK}`);
  });

  it(`leaves values shorter than ${MIN_MASKED_LENGTH} characters alone: masking them would wreck the log and give them away`, () => {
    const text = 'a 1 on ab abc';
    assert.equal(createSecretMasker(['a', '1', 'on', 'abc', '   x   '])(text), text);
    assert.equal(createSecretMasker(['abcd'])('abc abcd'), `abc ${SECRET_MASK}`);
  });

  it('leaves no secret of 4 characters or more in any text', () => {
    // '*' is the mask's own character: a secret made of it could reappear
    // beside a mask, which no real secret does.
    const secretArb = fc.string({ minLength: MIN_MASKED_LENGTH, maxLength: 12 }).filter((value) => value.trim().length >= MIN_MASKED_LENGTH && !value.includes('*'));
    fc.assert(
      fc.property(fc.array(secretArb, { minLength: 1, maxLength: 3 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }), (secrets, pieces) => {
        const text = pieces.flatMap((piece, index) => [piece, secrets[index % secrets.length] ?? '']).join('');
        const masked = createSecretMasker(secrets)(text);
        for (const value of secrets) {
          assert.ok(!masked.includes(value), `${JSON.stringify(value)} left in ${JSON.stringify(masked)}`);
        }
      }),
    );
  });
});
