/** Jest configuration. Tests are TypeScript, compiled by ts-jest (isolatedModules in tsconfig for speed; `npm run typecheck` does the type check). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
    // jose 6 ships ES modules only. Node >= 20.19 loads it with require() natively, but jest's
    // module loader does not (before Node 24.9), so jest compiles jose's files to CommonJS.
    '^.+/node_modules/jose/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 120000,
  // Real-engine suites (PostgreSQL, Redis) start servers; keep workers to the machine's 2 cores.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
