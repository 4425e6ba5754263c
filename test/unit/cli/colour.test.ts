import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseColourLevel } from '../../../src/cli/colour.js';

const TTY = { isTTY: true };
const PIPE = { isTTY: false };
const UNKNOWN = {};

describe('chooseColourLevel', () => {
  it('colours a terminal', () => {
    assert.equal(chooseColourLevel({ flag: true, env: {}, stream: TTY }), 1);
    assert.equal(chooseColourLevel({ flag: true, env: { TERM: 'xterm-256color' }, stream: TTY }), 1);
  });

  it('does not colour a pipe or a stream that is not known to be a terminal', () => {
    assert.equal(chooseColourLevel({ flag: true, env: {}, stream: PIPE }), 0);
    assert.equal(chooseColourLevel({ flag: true, env: {}, stream: UNKNOWN }), 0);
  });

  it('does not colour a dumb terminal', () => {
    assert.equal(chooseColourLevel({ flag: true, env: { TERM: 'dumb' }, stream: TTY }), 0);
  });

  it('turns colour off with --no-color, even with FORCE_COLOR', () => {
    assert.equal(chooseColourLevel({ flag: false, env: {}, stream: TTY }), 0);
    assert.equal(chooseColourLevel({ flag: false, env: { FORCE_COLOR: '3' }, stream: TTY }), 0);
  });

  it('turns colour off with NO_COLOR set to any non-empty value, even with FORCE_COLOR', () => {
    assert.equal(chooseColourLevel({ flag: true, env: { NO_COLOR: '1' }, stream: TTY }), 0);
    assert.equal(chooseColourLevel({ flag: true, env: { NO_COLOR: 'false' }, stream: TTY }), 0);
    assert.equal(chooseColourLevel({ flag: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' }, stream: TTY }), 0);
  });

  it('ignores an empty NO_COLOR (no-color.org)', () => {
    assert.equal(chooseColourLevel({ flag: true, env: { NO_COLOR: '' }, stream: TTY }), 1);
    assert.equal(chooseColourLevel({ flag: true, env: { NO_COLOR: '' }, stream: PIPE }), 0);
  });

  it('FORCE_COLOR=0 turns colour off on a terminal', () => {
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: '0' }, stream: TTY }), 0);
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: 'false' }, stream: TTY }), 0);
  });

  it('FORCE_COLOR turns colour on off a terminal, at the level it asks for', () => {
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: '1' }, stream: PIPE }), 1);
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: '2' }, stream: PIPE }), 2);
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: '3' }, stream: PIPE }), 3);
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: '' }, stream: PIPE }), 1);
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: 'true' }, stream: PIPE }), 1);
  });

  it('FORCE_COLOR overrides TERM=dumb', () => {
    assert.equal(chooseColourLevel({ flag: true, env: { FORCE_COLOR: '1', TERM: 'dumb' }, stream: TTY }), 1);
  });
});
