import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findJsonErrorPosition } from '../../../src/settings/json-error-position.js';

describe('findJsonErrorPosition', () => {
  it('finds the line and column where a JSON text first goes wrong', () => {
    assert.deepEqual(findJsonErrorPosition('{\n  "runner": "sequential",\n  "workers": }\n'), { line: 3, column: 14 });
    assert.deepEqual(findJsonErrorPosition('{\n  "runner": "sequential"\n  "workers": 2\n}'), { line: 3, column: 3 });
    assert.deepEqual(findJsonErrorPosition('{"a": [1, 2,]}'), { line: 1, column: 13 });
    assert.deepEqual(findJsonErrorPosition("{'a': 1}"), { line: 1, column: 2 });
    assert.deepEqual(findJsonErrorPosition('{"a": 1} x'), { line: 1, column: 10 });
    assert.deepEqual(findJsonErrorPosition('{"a": "unterminated'), { line: 1, column: 20 });
  });

  it('finds nothing wrong in valid JSON, whatever it nests', () => {
    for (const text of ['{}', '[]', '{"a": {"b": [1, -2.5e3, true, false, null, "x\\"y"]}}', ' 3 ', '"text"']) {
      assert.equal(findJsonErrorPosition(text), undefined, text);
      assert.doesNotThrow(() => JSON.parse(text) as unknown);
    }
  });
});
