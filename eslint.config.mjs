// ESLint (flat config): rules that catch bugs, not style. Prettier owns the layout
// (.prettierrc.json, `npm run format:check`), so eslint-config-prettier comes last and turns off
// every rule that would argue with it. Run with `npm run lint` (CI: .ci/run). No --cache: the
// type-aware rules read other files' types, which ESLint's per-file cache does not track.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'dist/',
      'coverage/',
      'reports/',
      '.tmp/',
      // Files that break the import rules on purpose (test/architecture/import-direction.test.ts).
      'test/fixtures/deps/',
      // The consumer test's app is compiled inside a fresh app against the installed package
      // (scripts/consumer-test.sh), not by this repository's tsconfig.
      'scripts/consumer-test/',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.node } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules for the TypeScript sources (tsconfig.json): promises that are neither
    // awaited nor handled lose their errors — in a Lambda handler or a CLI, silently.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    rules: {
      // Unused code is an error, except names that say so (`_`, `_unused`) and rest siblings.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // A test that prints is noise in every run; the few that report figures say so with a
    // disable comment next to the console call.
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: { 'no-console': 'error' },
  },
  prettier,
);
