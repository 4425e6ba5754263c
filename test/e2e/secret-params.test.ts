import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// A flow with `token: secret().min(8)` and `backup: secret().default(...)`
// (test/fixtures/params/secret.ts), through the real `flow` binary: the flow
// gets the real values (it prints their SHA-256), and nothing the CLI prints,
// in any command, holds either of them.

const SECRET_FLOW = 'test/fixtures/params/secret.ts';
const TOKEN = 'hunter2-very-secret-token';
const DEFAULT_BACKUP = 'default-backup-secret'; // the fixture's default for `backup`
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const assertNoSecret = (result: CliResult, ...values: string[]): void => {
  for (const value of [...values, DEFAULT_BACKUP]) {
    assert.ok(!result.stdout.includes(value), `stdout holds ${JSON.stringify(value)}:\n${result.stdout}`);
    assert.ok(!result.stderr.includes(value), `stderr holds ${JSON.stringify(value)}:\n${result.stderr}`);
  }
};

describe('a secret() parameter', { concurrency: true }, () => {
  it('reaches the flow as given, from --param, FLOW_PARAMS or the config file, and is in no output of the run', async (t) => {
    const project = makeTempDir(t, 'flowrun-secret-');
    writeFileSync(join(project, 'package.json'), '{"type": "module"}');
    writeFileSync(join(project, '.flowrc.json'), JSON.stringify({ flows: { 'secret-token': { params: { token: `${TOKEN}-from-config` } } } }));
    mkdirSync(join(project, 'flows'));
    copyFileSync(join(FIXTURES, 'params', 'secret.ts'), join(project, 'flows', 'secret.ts'));
    const debug = ['--log-level', 'DEBUG', '--debug'];
    const [flag, env, config] = await Promise.all([
      runCli(['run', SECRET_FLOW, '--param', `token=${TOKEN}`, ...debug]),
      runCli(['run', SECRET_FLOW, '--runner', 'parallel', '--workers', '1', ...debug], { env: { FLOW_PARAMS: JSON.stringify({ token: `${TOKEN}-from-env` }) } }),
      runCli(['run', 'secret-token', ...debug], { cwd: project }),
    ]);
    const cases: [CliResult, string][] = [
      [flag, TOKEN],
      [env, `${TOKEN}-from-env`],
      [config, `${TOKEN}-from-config`],
    ];
    for (const [result, token] of cases) {
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.trimEnd().split('\n'), [
        `token sha256 ${sha256(token)}`,
        `backup sha256 ${sha256(DEFAULT_BACKUP)}`,
        'region eu',
      ]);
      assert.match(result.stderr, /Finished in state Completed\(/);
      assertNoSecret(result, token);
    }
  });

  it('shows in flow config as ******** with where it came from', async () => {
    const result = await runCli(['config', SECRET_FLOW, '--param', `token=${TOKEN}`]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n').filter((line) => line.startsWith('params'));
    assert.deepEqual(lines, [
      'params.token      = ******** (from --param token=********)',
      "params.backup     = ******** (from flow 'secret-token' default)",
      'params.region     = "eu" (from flow \'secret-token\' default)',
    ]);
    assertNoSecret(result, TOKEN);
  });

  it('shows in flow ls as a secret string, its default masked', async () => {
    const result = await runCli(['ls'], { env: { FLOW_FLOWS_DIR: 'test/fixtures/params' } });
    assert.equal(result.code, 0, result.stderr);
    const listing = result.stdout.split('\n');
    const at = listing.findIndex((line) => line.startsWith('secret-token '));
    assert.notEqual(at, -1, result.stdout);
    assert.deepEqual(listing.slice(at + 1, at + 4), [
      '    token   secret string  required',
      '    backup  secret string  default ********',
      '    region  string         default "eu"',
    ]);
    assertNoSecret(result);
  });

  it('is not quoted when it is refused, nor when its key is misspelt', async () => {
    const tooShort = 'sh0rt7x';
    const [run, config, misspelt, debug] = await Promise.all([
      runCli(['run', SECRET_FLOW, '--param', `token=${tooShort}`]),
      runCli(['config', SECRET_FLOW, '--param', `token=${tooShort}`]),
      runCli(['run', SECRET_FLOW, '--param', `tokn=${TOKEN}`]),
      runCli(['run', SECRET_FLOW, '--params', JSON.stringify({ token: tooShort }), '--debug']),
    ]);
    for (const result of [run, config]) {
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        "error: parameter 'token' is invalid: Too small: expected string to have >=8 characters, got ******** (from --param token=********)\n",
      );
    }
    assert.equal(misspelt.code, 2);
    assert.match(misspelt.stderr, /^error: flow 'secret-token' has no parameter 'tokn' \(from --param tokn=\*{8}\); .*\(did you mean 'token'\?\)/);
    assert.equal(debug.code, 2);
    assert.match(debug.stderr, /^error: parameter 'token' is invalid: Too small: .*, got \*{8} \(from --params\)\n/);
    for (const result of [run, config, debug]) {
      assertNoSecret(result, tooShort);
    }
    assertNoSecret(misspelt, TOKEN);
  });

  it('is said to be required, as a secret string, when nothing sets it', async () => {
    const result = await runCli(['run', SECRET_FLOW]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "error: parameter 'token' is required (a secret string); pass it with --param token=<value>\n");
  });
});
