import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mayHaveConfigFile } from '../../../src/settings/config-presence.js';

const PLACES = ['package.json', '.flowrc', '.flowrc.json', 'flow.config.ts'];

describe('mayHaveConfigFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'flowrun-presence-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  const tree = (name: string, files: Record<string, string>): string => {
    const deep = join(root, name, 'project', 'sub');
    mkdirSync(deep, { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      writeFileSync(join(root, name, path), text);
    }
    return deep;
  };

  it('finds no config where there is none, nor a package.json without the key', () => {
    assert.equal(mayHaveConfigFile(tree('none', { 'project/package.json': '{"name": "x", "bin": {"flow": "a.js"}}' }), PLACES, 'flow'), false);
  });

  it('finds a config file in the folder or any folder above it, even past a package.json', () => {
    assert.equal(mayHaveConfigFile(tree('here', { 'project/sub/.flowrc.json': '{}' }), PLACES, 'flow'), true);
    assert.equal(mayHaveConfigFile(tree('above', { '.flowrc': 'runner: sequential', 'project/package.json': '{}' }), PLACES, 'flow'), true);
    assert.equal(mayHaveConfigFile(tree('ts', { 'project/flow.config.ts': 'export default {}' }), PLACES, 'flow'), true);
  });

  it("counts a package.json with the key, or one it cannot read (cosmiconfig will say what is wrong)", () => {
    assert.equal(mayHaveConfigFile(tree('key', { 'project/package.json': '{"flow": {"runner": "sequential"}}' }), PLACES, 'flow'), true);
    assert.equal(mayHaveConfigFile(tree('broken', { 'project/package.json': '{"flow": ' }), PLACES, 'flow'), true);
  });
});
