/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/gateway', '<rootDir>/packages', '<rootDir>/subgraphs', '<rootDir>/test'],
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60000,
  // Says once whether the PostgreSQL variants run (TEST_POSTGRES_URL) and checks its server.
  globalSetup: '<rootDir>/test/globalSetup.ts',
};
