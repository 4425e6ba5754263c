import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonRepr } from '../../../src/util/python-repr.js';

// Expected values are what Python 3's repr() prints for the same text.
describe('pythonRepr', () => {
  it('uses single quotes by default', () => {
    assert.equal(pythonRepr('mindful-tortoise'), "'mindful-tortoise'");
    assert.equal(pythonRepr(''), "''");
  });

  it('keeps double quotes inside single quotes as they are', () => {
    assert.equal(pythonRepr('say "hi"'), `'say "hi"'`);
  });

  it('uses double quotes when the text has a single quote and no double quote', () => {
    assert.equal(
      pythonRepr("Upstream task run 'x' did not reach a 'COMPLETED' state."),
      `"Upstream task run 'x' did not reach a 'COMPLETED' state."`,
    );
    assert.equal(pythonRepr("it's"), `"it's"`);
  });

  it('escapes the single quote when the text has both kinds', () => {
    assert.equal(pythonRepr(`it's "fine"`), `'it\\'s "fine"'`);
  });

  it('escapes backslashes', () => {
    assert.equal(pythonRepr('C:\\temp'), "'C:\\\\temp'");
  });

  it('escapes newlines, carriage returns and tabs', () => {
    assert.equal(pythonRepr('a\nb'), "'a\\nb'");
    assert.equal(pythonRepr('a\r\nb'), "'a\\r\\nb'");
    assert.equal(pythonRepr('a\tb'), "'a\\tb'");
  });

  it('writes other control characters as \\x escapes', () => {
    assert.equal(pythonRepr('a\u0000b'), "'a\\x00b'");
    assert.equal(pythonRepr('bell\u0007'), "'bell\\x07'");
    assert.equal(pythonRepr('del\u007f'), "'del\\x7f'");
  });

  it('leaves printable non-ASCII text alone', () => {
    assert.equal(pythonRepr('café ☕ 日本'), "'café ☕ 日本'");
  });
});
