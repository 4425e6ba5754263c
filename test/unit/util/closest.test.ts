import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, findClosest, formatSuggestion } from '../../../src/util/closest.js';

const SETTINGS = ['flowsDir', 'runner', 'workers', 'logLevel', 'params', 'concurrencyLimits', 'storeDir', 'flows'];

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('runner', 'runner'), 0);
    assert.equal(editDistance('runer', 'runner'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', ''), 3);
  });
});

describe('findClosest', () => {
  it('finds a misspelt setting', () => {
    assert.deepEqual(findClosest('runer', SETTINGS), ['runner']);
    assert.deepEqual(findClosest('wrokers', SETTINGS), ['workers']);
  });

  it('ignores case', () => {
    assert.deepEqual(findClosest('LOGLEVEL', SETTINGS), ['logLevel']);
  });

  it('puts the closest first and breaks ties alphabetically', () => {
    assert.deepEqual(findClosest('abcd', ['abxy', 'abce', 'abcd']), ['abcd', 'abce', 'abxy']);
    assert.deepEqual(findClosest('cat', ['hat', 'cart', 'bat', 'cab']), ['bat', 'cab', 'cart']);
  });

  it('gives at most the limit', () => {
    assert.deepEqual(findClosest('cat', ['hat', 'cart', 'bat', 'cab'], 1), ['bat']);
  });

  it('allows more edits for longer candidates', () => {
    assert.deepEqual(findClosest('concurencyLimit', SETTINGS), ['concurrencyLimits']);
    assert.deepEqual(findClosest('rnr', ['runner']), []);
  });

  it('gives nothing when nothing is close', () => {
    assert.deepEqual(findClosest('zzzzzzzzzz', SETTINGS), []);
    assert.deepEqual(findClosest('anything', []), []);
  });
});

describe('formatSuggestion', () => {
  it("reads (did you mean '...'?) with a leading space", () => {
    assert.equal(formatSuggestion('runer', SETTINGS), " (did you mean 'runner'?)");
  });

  it('is empty when nothing is close', () => {
    assert.equal(formatSuggestion('zzzzzzzzzz', SETTINGS), '');
  });
});
