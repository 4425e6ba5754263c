import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FLOW_BIN, FIXTURES, REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('flow ls, config, --help, --version', { concurrency: true }, () => {
  it('lists the flows in flowsDir with each parameter, its type, default and whether it is required', async () => {
    const result = await runCli(['ls']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    const at = lines.indexOf('parallel-execution  (flows/parallel-execution.ts)');
    assert.ok(at >= 0, result.stdout);
    assert.match(lines[at + 1] ?? '', /^ {4}stop {2}number {2}required$/);
    for (const name of ['print-values', 'async-values', 'failing-task']) {
      assert.ok(lines.includes(`${name}  (flows/${name}.ts)`), result.stdout);
    }
    const fixture = await runCli(['ls'], { env: { FLOW_FLOWS_DIR: 'test/fixtures/flows' } });
    assert.equal(fixture.code, 0, fixture.stderr);
    assert.match(fixture.stdout, /^greet {2}\(test\/fixtures\/flows\/greet\.ts\)\n {4}name {2}string {2}required$/m);
    assert.match(fixture.stdout, /^shout {2}\(test\/fixtures\/flows\/greet\.ts:shout\)$/m);
  });

  it('says so when flowsDir does not exist, and exits 0: there is nothing to list', async () => {
    const result = await runCli(['ls'], { env: { FLOW_FLOWS_DIR: 'no-such-dir' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `No flows found: no-such-dir/ does not exist in ${REPO_ROOT.replace(/\/$/, '')}. Create it and put a module that exports flow(...) there, or set flowsDir.\n`,
    );
  });

  it('shows each resolved setting and where it came from', async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-config-'));
    try {
      writeFileSync(join(project, 'package.json'), '{"type": "module"}');
      writeFileSync(join(project, '.flowrc.yaml'), 'runner: sequential\nlogLevel: warning\nflows:\n  etl:\n    runner: concurrent\n');
      const result = await runCli(['config'], { cwd: project, env: { FLOW_LOG_LEVEL: 'debug' } });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trimEnd().split('\n');
      assert.equal(lines[0], 'config file: .flowrc.yaml');
      assert.ok(lines.includes('runner            = "sequential" (from .flowrc.yaml)'), result.stdout);
      assert.ok(lines.includes('logLevel          = "DEBUG" (from FLOW_LOG_LEVEL)'), result.stdout);
      assert.ok(lines.includes('flowsDir          = "flows" (from default)'), result.stdout);
      const withFlag = await runCli(['config', '--runner', 'concurrent'], { cwd: project });
      assert.ok(withFlag.stdout.includes('runner            = "concurrent" (from --runner)'), withFlag.stdout);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('reads a TypeScript config file and the flow key of package.json', async () => {
    const project = mkdtempSync(join(tmpdir(), 'flowrun-config-kinds-'));
    try {
      writeFileSync(join(project, 'package.json'), '{"type": "module", "flow": {"runner": "sequential"}}');
      const fromPackage = await runCli(['config'], { cwd: project });
      assert.ok(fromPackage.stdout.includes('runner            = "sequential" (from package.json)'), fromPackage.stdout);
      writeFileSync(join(project, 'package.json'), '{"type": "module"}');
      writeFileSync(join(project, 'flow.config.ts'), "const level: string = 'error';\nexport default { logLevel: level, params: { stop: 3 } };\n");
      const fromTypeScript = await runCli(['config'], { cwd: project });
      assert.equal(fromTypeScript.code, 0, fromTypeScript.stderr);
      assert.ok(fromTypeScript.stdout.includes('logLevel          = "ERROR" (from flow.config.ts)'), fromTypeScript.stdout);
      assert.ok(fromTypeScript.stdout.includes('params            = {"stop":3} (from flow.config.ts)'), fromTypeScript.stdout);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('has help with examples on every command, and a version', async () => {
    const [top, run, ls, config, version] = await Promise.all([
      runCli(['--help']),
      runCli(['run', '--help']),
      runCli(['ls', '--help']),
      runCli(['config', '--help']),
      runCli(['--version']),
    ]);
    for (const result of [top, run, ls, config]) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /\nExamples:\n {2}\$ flow /);
    }
    assert.match(top.stdout, /run \[options\] <flow>/);
    for (const flag of ['--param <key=value>', '--params <json>', '--runner <name>', '--log-level <level>', '--config <path>', '--no-color', '--debug']) {
      assert.ok(run.stdout.includes(flag), `flow run --help lacks ${flag}`);
    }
    assert.equal(version.stdout, `${manifest.version}\n`);
    const exitStatus = run.stdout.slice(run.stdout.indexOf('Exit status:')).replace(/\s+/g, ' ');
    for (const status of ['0 completed', '1 failed or crashed', '2 bad usage or input', '130 after SIGINT', '143 after SIGTERM', '129 after SIGHUP']) {
      assert.ok(exitStatus.includes(status), `flow run --help should list exit status ${status}: ${exitStatus}`);
    }
  });

  it('starts `flow --help` without loading ora, execa, piscina, cosmiconfig, tsx or zod', () => {
    const traceDir = mkdtempSync(join(tmpdir(), 'flowrun-trace-'));
    const traceFile = join(traceDir, 'modules.txt');
    try {
      writeFileSync(traceFile, '');
      const result = spawnSync(process.execPath, ['--import', join(REPO_ROOT, 'test/helpers/trace-imports.mjs'), FLOW_BIN, '--help'], {
        env: { ...process.env, FLOWRUN_TRACE_FILE: traceFile },
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      const loaded = readFileSync(traceFile, 'utf8');
      assert.match(loaded, /node_modules\/commander\//, 'the trace must see the modules that are loaded');
      for (const heavy of ['ora', 'execa', 'piscina', 'cosmiconfig', 'tsx', 'zod', 'chalk']) {
        assert.ok(!loaded.includes(`/node_modules/${heavy}/`), `flow --help loaded ${heavy}`);
      }
    } finally {
      rmSync(traceDir, { recursive: true, force: true });
    }
  });

  it('shows a spinner on a terminal only, and leaves no trace of it when the run ends', { skip: !hasScript() }, () => {
    const output = runOnTerminal('run print-values', {});
    assert.match(output, /task runs: 2 running, 0 completed, 0 failed/);
    // The last spinner frame is followed by its erasure (cursor to column 1,
    // erase the line), and nothing visible comes after it.
    const afterLastFrame = output.slice(output.lastIndexOf('task runs:'));
    const erased = afterLastFrame.lastIndexOf('\u001b[1G\u001b[0K');
    assert.ok(erased > 0, JSON.stringify(afterLastFrame));
    assert.equal(stripEscapes(afterLastFrame.slice(erased)).trim(), '');
    // Every log line arrives whole: no line is split by a spinner frame.
    const plain = stripEscapes(output).replace(/\r/g, '');
    assert.equal((plain.match(/\| INFO {4}\| /g) ?? []).length, 9);
    assert.match(plain, /Flow run '[a-z]+-[a-z]+' - Finished in state Completed\('All states completed\.'\)/);
  });

  it('prints plain lines on a terminal with NO_COLOR or --no-color: no colour, no spinner', { skip: !hasScript() }, () => {
    for (const [command, env] of [
      ['run print-values', { NO_COLOR: '1' }],
      ['run print-values --no-color', {}],
    ] as const) {
      const output = runOnTerminal(command, env);
      assert.doesNotMatch(output, /task runs:/, `${command} ${JSON.stringify(env)}: ${output}`);
      assert.doesNotMatch(output, /\u001b/, `${command} ${JSON.stringify(env)}: ${JSON.stringify(output)}`);
      assert.equal((output.match(/\| INFO {4}\| /g) ?? []).length, 9, output);
    }
  });

  it('finds a flow anywhere on disk that imports flowrun, without a package.json', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'flowrun-outside-'));
    try {
      writeFileSync(
        join(outside, 'standalone.ts'),
        "import { flow, task } from 'flowrun';\nconst double = task('double', (x: number): number => x * 2);\nexport default flow({ name: 'standalone' }, async () => { console.log(await double(21)); });\n",
      );
      const result = await runCli(['run', join(outside, 'standalone.ts')], { cwd: FIXTURES });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '42\n');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('runs a flow without a package.json whose tasks live in a sibling module, on every runner, and one written in CommonJS', async (t) => {
    const outside = makeTempDir(t, 'flowrun-outside-');
    // tsx takes both files for CommonJS: the sibling's `import 'flowrun'` crashed Node with a raw "Cannot find module 'flowrun'".
    writeFileSync(join(outside, 'tasks.ts'), "import { task } from 'flowrun';\nexport const double = task('double', (x: number): number => x * 2);\n");
    writeFileSync(
      join(outside, 'main.ts'),
      "import { flow } from 'flowrun';\nimport { double } from './tasks.js';\nexport default flow({ name: 'two-files' }, async () => { console.log(await double.submit(21)); });\n",
    );
    writeFileSync(
      join(outside, 'legacy.js'),
      "const { flow, task } = require('flowrun');\nconst half = task('half', (x) => x / 2);\nmodule.exports = flow({ name: 'legacy' }, async () => { console.log(await half(84)); });\n",
    );
    for (const runner of ['sequential', 'concurrent', 'parallel']) {
      const result = await runCli(['run', join(outside, 'main.ts'), '--runner', runner, '--no-history'], { cwd: outside });
      assert.equal(result.code, 0, `${runner}: ${result.stderr}`);
      assert.equal(result.stdout, '42\n', runner);
    }
    const legacy = await runCli(['run', join(outside, 'legacy.js'), '--no-history'], { cwd: outside });
    assert.equal(legacy.code, 0, legacy.stderr);
    assert.equal(legacy.stdout, '42\n');
  });
});

// Runs `flow <command>` on a pseudo-terminal of 100 columns (`script`), and
// gives what the terminal received.
function runOnTerminal(command: string, env: Readonly<Record<string, string>>): string {
  const result = spawnSync('script', ['-qfec', `stty cols 100 rows 30; ${process.execPath} ${FLOW_BIN} ${command}`, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined, TERM: 'xterm-256color', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stdout);
  return result.stdout;
}

function stripEscapes(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

function hasScript(): boolean {
  return spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('a closed pipe', () => {
  it('ends `flow run ... | head -1` quietly: no EPIPE stack, the run finishes, exit status 0', (t) => {
    const stderrFile = join(makeTempDir(t, 'flowrun-epipe-'), 'stderr.log');
    // bash, for the exit status of flow itself rather than of head.
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${FLOW_BIN}" run print-values 2>"$ERR" | head -1; exit \${PIPESTATUS[0]}`], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ERR: stderrFile },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const stderr = readFileSync(stderrFile, 'utf8');
    assert.equal(result.stdout, 'AAAA\n');
    assert.equal(result.status, 0);
    assert.ok(!stderr.includes('EPIPE'), stderr);
    assert.match(stderr, /Flow run '[a-z]+-[a-z]+' - Finished in state Completed\('All states completed\.'\)\n$/);
  });
});
