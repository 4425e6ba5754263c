import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/settings/config-file.js';
import { resolveSettings } from '../../../src/settings/resolve.js';
import { CONFIG_FILE_KEYS, SETTING_KEYS, SETTINGS, toEnvName } from '../../../src/settings/schema.js';

// .flowrc.example is the documentation of every setting: it must list each
// one with a comment and its default, and be a valid config file itself.
const EXAMPLE = fileURLToPath(new URL('../../../.flowrc.example', import.meta.url));

describe('.flowrc.example', () => {
  it('documents every key of the settings schema, each after a comment', () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    for (const key of CONFIG_FILE_KEYS) {
      const at = lines.findIndex((line) => line.startsWith(`${key}:`));
      assert.ok(at > 0, `.flowrc.example lacks '${key}'`);
      assert.match(lines[at - 1] ?? '', /^# \S/, `'${key}' has no comment above it`);
    }
    for (const key of SETTING_KEYS) {
      const at = lines.findIndex((line) => line.startsWith(`${key}:`));
      if (SETTINGS[key].flag === null) {
        assert.ok(lines[at - 1]?.includes(toEnvName(key)), `the comment of '${key}' should name ${toEnvName(key)}`);
      }
    }
  });

  it('is a valid config file whose values are the defaults', async () => {
    // Copied to a .flowrc, as a user would.
    const project = mkdtempSync(join(tmpdir(), 'flowrun-example-'));
    writeFileSync(join(project, '.flowrc'), readFileSync(EXAMPLE, 'utf8'));
    const config = await loadConfigFile(join(project, '.flowrc'));
    rmSync(project, { recursive: true, force: true });
    const { values, warnings } = resolveSettings({ config });
    assert.deepEqual(warnings, []);
    for (const key of SETTING_KEYS) {
      const descriptor = SETTINGS[key];
      const documented = 'exampleValue' in descriptor ? descriptor.exampleValue : descriptor.defaultValue();
      assert.deepEqual(values[key], documented, `'${key}' in .flowrc.example`);
    }
  });
});
