/** Workflow tests share one Temporal server per file and one bundle, so files run serially (--runInBand). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 120_000,
  globalSetup: "<rootDir>/test/global-setup.ts",
};
