// Lint rules: typescript-eslint's recommended type-aware set on TypeScript,
// the plain recommended set on the few JavaScript files, plus the project's
// habits (no floating promises, type-only imports, braces everywhere).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/broken/**'] },
  js.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A flow body is async by contract even when it awaits nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises that the runner awaits itself.
      '@typescript-eslint/no-floating-promises': 'off',
      // Tests assert on the ANSI escapes of coloured output.
      'no-control-regex': 'off',
    },
  },
);
