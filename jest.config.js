/** Jest configuration. Tests are TypeScript, compiled by ts-jest (isolatedModules in tsconfig for speed; `npm run typecheck` does the type check). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 120000,
  // Real-engine suites (PostgreSQL, Redis) start servers; keep workers to the machine's 2 cores.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
