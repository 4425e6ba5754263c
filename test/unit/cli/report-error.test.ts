import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportError } from '../../../src/cli/report-error.js';
import { ParameterError } from '../../../src/errors.js';

const report = (error: unknown, debug: boolean): { code: number; text: string } => {
  let text = '';
  const code = reportError(error, { debug, stream: { write: (chunk: string) => (text += chunk) } });
  return { code, text };
};

describe('reportError', () => {
  it('prints bad input as one line, exit 2, and its stack with --debug', () => {
    const error = new ParameterError("parameter 'stop' must be a number");
    assert.deepEqual(report(error, false), { code: 2, text: "error: parameter 'stop' must be a number\n" });
    const debug = report(error, true);
    assert.equal(debug.code, 2);
    assert.ok(debug.text.startsWith(`error: parameter 'stop' must be a number\n${error.stack ?? ''}\n`), debug.text);
  });

  it('prints an unexpected error with its stack, exit 1, and says how to get one into the sources', () => {
    const error = new TypeError('cannot read x');
    const plain = report(error, false);
    assert.equal(plain.code, 1);
    assert.equal(plain.text, `error: flowrun failed unexpectedly: ${error.stack ?? ''}\nRun it again with --debug for a stack that names flowrun's source files.\n`);
    assert.equal(report(error, true).text, `error: flowrun failed unexpectedly: ${error.stack ?? ''}\n`);
  });
});
