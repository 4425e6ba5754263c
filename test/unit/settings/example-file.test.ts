import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/settings/config-file.js';
import { resolveSettings } from '../../../src/settings/resolve.js';
import { CONFIG_FILE_KEYS, SETTING_KEYS, SETTINGS, toEnvName, type SettingKey } from '../../../src/settings/schema.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

// .flowrc.example is the documentation of every setting: it must list each
// one with a comment and its default, and be a valid config file itself.
// Its header promises that every value set in it is the built-in default, so
// a default computed on the machine (the core count) must not appear as a
// value (`workers: 4` is the default on four cores only): its key is
// commented out and its comment says what the default is.
const EXAMPLE = fileURLToPath(new URL('../../../.flowrc.example', import.meta.url));

const computedDefault = (key: SettingKey): string | undefined => {
  const descriptor = SETTINGS[key];
  return 'computedDefault' in descriptor ? descriptor.computedDefault : undefined;
};

describe('.flowrc.example', () => {
  const lines = readFileSync(EXAMPLE, 'utf8').split('\n');

  it('documents every key of the settings schema, each after a comment', () => {
    for (const key of CONFIG_FILE_KEYS) {
      const computed = SETTING_KEYS.includes(key as SettingKey) ? computedDefault(key as SettingKey) : undefined;
      const at = lines.findIndex((line) => line.startsWith(computed === undefined ? `${key}:` : `# ${key}:`));
      assert.ok(at > 0, `.flowrc.example lacks '${key}'${computed === undefined ? '' : ' (commented out)'}`);
      assert.match(lines[at - 1] ?? '', /^# \S/, `'${key}' has no comment above it`);
      if (computed !== undefined) {
        assert.ok(lines[at - 1]?.includes(`Default: ${computed}`), `the comment of '${key}' should say its default is ${computed}`);
      }
    }
    for (const key of SETTING_KEYS) {
      const at = lines.findIndex((line) => line.startsWith(`${key}:`) || line.startsWith(`# ${key}:`));
      if (SETTINGS[key].flag === null) {
        assert.ok(lines[at - 1]?.includes(toEnvName(key)), `the comment of '${key}' should name ${toEnvName(key)}`);
      }
    }
  });

  it('is a valid config file that sets every setting to its built-in default, except those computed on the machine', async (t) => {
    // Copied to a .flowrc, as a user would.
    const project = makeTempDir(t, 'flowrun-example-');
    writeFileSync(join(project, '.flowrc'), readFileSync(EXAMPLE, 'utf8'));
    const config = await loadConfigFile(join(project, '.flowrc'));
    const { values, sources, warnings } = resolveSettings({ config });
    assert.deepEqual(warnings, []);
    for (const key of SETTING_KEYS) {
      if (computedDefault(key) === undefined) {
        assert.equal(sources[key].kind, 'config', `.flowrc.example should set '${key}'`);
        assert.deepEqual(values[key], SETTINGS[key].defaultValue(), `'${key}' in .flowrc.example is not the default`);
      } else {
        assert.equal(sources[key].kind, 'default', `.flowrc.example sets '${key}', whose default depends on the machine`);
      }
    }
  });
});
