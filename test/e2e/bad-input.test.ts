// Bad input to `flow` (API.md section 3): an unknown flow, a wrong parameter,
// a bad flag, a broken flow module or config file, a bad FLOW_* variable.
// Each must exit 2 with one line on stderr that starts with `error: ` and
// names the culprit, no stack trace (unless --debug), and no flow run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, FLOW_BIN, REPO_ROOT, runCli, type CliResult, type RunCliOptions } from '../helpers/run-cli.js';

const TYPED = 'test/fixtures/params/typed.ts';
// Line 3 of this module is `const x = ;` (tsconfig.json leaves broken/ out).
const SYNTAX_ERROR = 'test/fixtures/broken/syntax-error.ts';
const THROWS_ON_IMPORT = 'test/fixtures/broken/throws-on-import.ts';

const STACK_FRAME = /^\s+at /m;

const nonEmptyLines = (text: string): string[] => text.split('\n').filter((line) => line.trim().length > 0);

const show = (result: CliResult): string => `exit ${String(result.code)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

/** Asserts a rejected command line and returns its one error line. */
const assertBadInput = (result: CliResult): string => {
  assert.equal(result.code, 2, show(result));
  const lines = nonEmptyLines(result.stderr);
  assert.equal(lines.length, 1, `expected exactly one line on stderr\n${show(result)}`);
  const line = lines[0] ?? '';
  assert.match(line, /^error: \S/, show(result));
  assert.doesNotMatch(result.stderr, STACK_FRAME, `no stack trace expected\n${show(result)}`);
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, /Created flow run/, `the run must not start\n${show(result)}`);
  assert.equal(result.stdout, '', `nothing expected on stdout\n${show(result)}`);
  return line;
};

const badInput = async (args: readonly string[], options?: RunCliOptions): Promise<string> =>
  assertBadInput(await runCli(args, options));

const assertIncludesAll = (line: string, parts: readonly string[]): void => {
  for (const part of parts) {
    assert.ok(line.includes(part), `expected ${JSON.stringify(part)} in:\n${line}`);
  }
};

describe('flow: bad input is one clear line and exit status 2', { concurrency: true }, () => {
  describe('unknown flows and flow files', { concurrency: true }, () => {
    it('names an unknown flow name', async () => {
      const line = await badInput(['run', 'no-such-flow']);
      assertIncludesAll(line, ["'no-such-flow'"]);
      assert.match(line, /unknown flow/);
    });

    it('suggests the flow a misspelt name is close to', async () => {
      const line = await badInput(['run', 'parallel-executon']);
      assertIncludesAll(line, ["'parallel-executon'", 'parallel-execution']);
      assert.match(line, /did you mean 'parallel-execution'/);
    });

    it('says that flowsDir does not exist when a flow is looked up by name in it', async () => {
      const line = await badInput(['run', 'etl'], { env: { FLOW_FLOWS_DIR: 'no-such-dir' } });
      assertIncludesAll(line, ["unknown flow 'etl'", 'no-such-dir/ does not exist in ']);
    });

    it('names a flowsDir that is a file, for flow run and flow ls alike', async () => {
      for (const command of [['run', 'etl'], ['ls']]) {
        const line = await badInput(command, { env: { FLOW_FLOWS_DIR: 'package.json' } });
        assert.match(line, /^error: flowsDir package\.json \(in .+\) is a file, not a directory; set flowsDir to the directory that holds your flow modules\.$/);
      }
    });

    it('names a flow file that does not exist', async () => {
      const line = await badInput(['run', 'nope/missing.ts']);
      assertIncludesAll(line, ['nope/missing.ts', 'does not exist']);
    });

    it('names a missing export of path:export and lists the exports there are', async () => {
      const line = await badInput(['run', `${TYPED}:nope`]);
      assertIncludesAll(line, [TYPED, "'nope'", 'default']);
      assert.match(line, /exports: default\b/);
    });
  });

  describe('flow names and exports that are not what they seem', { concurrency: true }, () => {
    it('refuses a flow name that two files define, naming both and how to pick one', async () => {
      const line = await badInput(['run', 'same'], { cwd: join(FIXTURES, 'dup-names') });
      assertIncludesAll(line, ["flow name 'same'", 'flows/first.ts', 'flows/second.ts', 'run one by path']);
    });

    it('names an export that is not a flow, what it is and the fix', async () => {
      const line = await badInput(['run', 'test/fixtures/hostile/non-errors.ts:notAFlow']);
      assertIncludesAll(line, ['non-errors.ts:notAFlow', 'is not a flow', 'a number', 'flow()']);
    });
  });

  describe('flow modules that do not load', { concurrency: true }, () => {
    it('names the file, line and column of a syntax error', async () => {
      const line = await badInput(['run', SYNTAX_ERROR]);
      assertIncludesAll(line, [`${SYNTAX_ERROR}:3:10`]);
      assert.match(line, /syntax error/);
    });

    it('names the file and the exception of a module that throws on import', async () => {
      const line = await badInput(['run', THROWS_ON_IMPORT]);
      assertIncludesAll(line, [THROWS_ON_IMPORT, 'kaboom at import']);
    });

    it("refuses flow('name', fn), naming the file and the options form", async () => {
      const line = await badInput(['run', 'test/fixtures/broken/flow-name-first.js']);
      assertIncludesAll(line, ['test/fixtures/broken/flow-name-first.js', `flow({ name: "nightly-etl" }, fn)`]);
    });

    it('shows the stack of a module that throws on import with --debug, still exit 2', async () => {
      const result = await runCli(['run', THROWS_ON_IMPORT, '--debug']);
      assert.equal(result.code, 2, show(result));
      const [first = ''] = nonEmptyLines(result.stderr);
      assert.match(first, /^error: /, show(result));
      assertIncludesAll(first, [THROWS_ON_IMPORT, 'kaboom at import']);
      assert.match(result.stderr, STACK_FRAME, `a stack trace expected with --debug\n${show(result)}`);
      // The stack reaches the line of the user's module that threw.
      assert.match(result.stderr, /throws-on-import\.ts:4:\d+/, show(result));
      assert.doesNotMatch(`${result.stdout}${result.stderr}`, /Created flow run/, show(result));
    });
  });

  describe('--debug', { concurrency: true }, () => {
    it("prints stacks whose flowrun frames name flowrun's src/*.ts files and lines, not its built chunks", async () => {
      const [unknown, invalid] = await Promise.all([
        runCli(['run', 'no-such-flow', '--debug']),
        runCli(['run', TYPED, '--param', 'stop=abc', '--debug']),
      ]);
      for (const result of [unknown, invalid]) {
        assert.equal(result.code, 2, show(result));
        assert.match(result.stderr, STACK_FRAME, show(result));
        assert.match(result.stderr, /^\s+at .*\/src\/cli\/main\.ts:\d+:\d+\)$/m, show(result));
        assert.doesNotMatch(result.stderr, /\/dist\//, show(result));
      }
      assert.match(unknown.stderr, /^\s+at findByName \(.*\/src\/flows\/load\.ts:\d+:\d+\)$/m, show(unknown));
      assert.match(invalid.stderr, /^\s+at .* \(.*\/src\/settings\/[\w-]+\.ts:\d+:\d+\)$/m, show(invalid));
    });

    it('turns source maps on for --debug only: reading them is a start-up cost', () => {
      // Reports, as the CLI exits, whether Node mapped stacks in it (`flow --help` loads no flow, whose loader turns them on for TypeScript).
      const probe = `data:text/javascript,process.on('exit', () => process.stderr.write('source maps ' + process.sourceMapsEnabled))`;
      const mapsOn = (args: readonly string[]): string =>
        spawnSync(process.execPath, ['--import', probe, FLOW_BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8' }).stderr;
      assert.equal(mapsOn(['--help']), 'source maps false');
      assert.equal(mapsOn(['--help', '--debug']), 'source maps true');
    });
  });

  describe('parameters', { concurrency: true }, () => {
    it('names a parameter of the wrong type, what it must be and where the value came from', async () => {
      const line = await badInput(['run', TYPED, '--param', 'stop=abc']);
      assertIncludesAll(line, ["'stop'", 'number', '"abc"', '--param stop=abc']);
    });

    it('names a missing required parameter', async () => {
      const line = await badInput(['run', TYPED]);
      assertIncludesAll(line, ["'stop'", 'required']);
    });

    it('names a parameter the flow does not take and lists those it does', async () => {
      const line = await badInput(['run', TYPED, '--param', 'stop=1', '--param', 'nope=1']);
      assertIncludesAll(line, ["'nope'", 'stop', 'label']);
      assert.match(line, /parameters are: .*\bstop\b/);
    });

    it('rejects --param without "=" and shows the KEY=VALUE form', async () => {
      const line = await badInput(['run', TYPED, '--param', 'stop']);
      assertIncludesAll(line, ['--param', 'stop', 'KEY=VALUE']);
    });

    it('rejects --params that is JSON but not an object', async () => {
      const line = await badInput(['run', TYPED, '--params', '[1]']);
      assertIncludesAll(line, ['--params', 'JSON object', '[1]']);
    });

    it('rejects --params that is not JSON', async () => {
      const line = await badInput(['run', TYPED, '--params', '{bad']);
      assertIncludesAll(line, ['--params', 'JSON object']);
    });
  });

  describe('flags and commands', { concurrency: true }, () => {
    it('names an unknown --runner and lists the runners', async () => {
      const line = await badInput(['run', TYPED, '--param', 'stop=1', '--runner', 'fast']);
      assertIncludesAll(line, ['--runner', 'fast', 'sequential', 'concurrent', 'parallel']);
    });

    it('names a --workers count that is not a positive integer', async () => {
      for (const workers of ['0', 'abc', '1.5']) {
        const line = await badInput(['run', TYPED, '--param', 'stop=1', '--runner', 'parallel', '--workers', workers]);
        assertIncludesAll(line, ['--workers', 'positive integer', workers]);
      }
    });

    it('names an unknown option and suggests --param', async () => {
      const line = await badInput(['run', TYPED, '--parm', 'stop=1']);
      assertIncludesAll(line, ["'--parm'", '--param?']);
      assert.match(line, /unknown option/);
    });

    it('suggests the command a misspelt one is close to', async () => {
      const line = await badInput(['rn', 'hello']);
      assertIncludesAll(line, ["unknown command 'rn'", 'Did you mean run?']);
    });

    it('names an unknown command', async () => {
      const line = await badInput(['frob']);
      assertIncludesAll(line, ["'frob'"]);
      assert.match(line, /unknown command/);
    });
  });

  describe('config files', { concurrency: true }, () => {
    it('names a malformed JSON config file and the line of the error', async () => {
      const line = await badInput(['run', 'hello'], { cwd: join(FIXTURES, 'config-bad-json') });
      assertIncludesAll(line, ['.flowrc.json', 'malformed']);
      assert.match(line, /\bline 2\b/);
    });

    it('names the line of an unexpected token in a JSON config file, which Node itself does not give', async () => {
      const line = await badInput(['run', 'hello'], { cwd: join(FIXTURES, 'config-bad-json-token') });
      assertIncludesAll(line, ['.flowrc.json', 'malformed', "Unexpected token '}'"]);
      assert.match(line, /\bline 3, column 14\b/);
    });

    it('names a malformed YAML config file and the line of the error', async () => {
      const line = await badInput(['run', 'hello'], { cwd: join(FIXTURES, 'config-bad-yaml') });
      assertIncludesAll(line, ['.flowrc', 'malformed']);
      assert.match(line, /\bline 3\b/);
    });

    it('warns of an unknown config key with the closest one, and runs the flow', async () => {
      // By name: the config file is searched from the working directory (a flow given by path has it searched from its own).
      const result = await runCli(['run', 'greet', '--param', 'name=Ada'], {
        cwd: join(FIXTURES, 'config-unknown-key'),
        env: { FLOW_FLOWS_DIR: join(FIXTURES, 'flows') },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /\| WARNING \| flowrun\.settings - config file \.flowrc\.json: unknown key 'runer' is ignored \(did you mean 'runner'\?\)\n/);
      assert.equal(result.stdout, 'hello Ada\n');
    });

    it('names a config value of the wrong type, its file and what it must be', async () => {
      const line = await badInput(['run', 'hello'], { cwd: join(FIXTURES, 'config-bad-value') });
      assertIncludesAll(line, ['.flowrc.json', 'workers', 'positive integer', '"abc"']);
    });
  });

  describe('environment variables', { concurrency: true }, () => {
    it('names an invalid FLOW_RUNNER and lists the runners', async () => {
      const line = await badInput(['run', TYPED, '--param', 'stop=1'], { env: { FLOW_RUNNER: 'fast' } });
      assertIncludesAll(line, ['FLOW_RUNNER', 'fast', 'sequential', 'concurrent', 'parallel']);
    });

    it('names an invalid FLOW_LOG_LEVEL and lists the levels', async () => {
      const line = await badInput(['run', TYPED, '--param', 'stop=1'], { env: { FLOW_LOG_LEVEL: 'loud' } });
      assertIncludesAll(line, ['FLOW_LOG_LEVEL', 'loud', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']);
    });
  });
});
