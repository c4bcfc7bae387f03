// Unit specs sit beside the code (src, *.spec.ts); integration and end-to-end suites live in test/ (*.e2e-spec.ts).
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] },
  // NestJS 12, jose 6 and content-disposition 2 ship ES modules only: Node 24 loads them with
  // require(esm), Jest's CommonJS runtime needs them transformed (SWC rewrites import.meta.url).
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose|content-disposition)/)'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
