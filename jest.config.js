/** Workflow tests share one Temporal server per file and one bundle, so files run serially (--runInBand). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // A few of the web server's dependencies ship ES modules only: jest (CommonJS) gets them compiled.
    '^.+/node_modules/(content-disposition|cookie)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Nested copies count too (light-my-request keeps its own cookie@2, ES modules only).
  transformIgnorePatterns: ['/node_modules/(?!(?:.*/node_modules/)?(?:content-disposition|cookie)/)'],
  testTimeout: 120_000,
  globalSetup: "<rootDir>/test/global-setup.ts",
};
