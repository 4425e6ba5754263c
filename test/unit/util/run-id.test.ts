import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRunId } from '../../../src/util/run-id.js';

describe('newRunId', () => {
  it('gives distinct UUID v4 strings, across many draws of random bytes', () => {
    const ids = Array.from({ length: 2_000 }, newRunId);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
