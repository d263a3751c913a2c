/**
 * Unit tests (one class, mocks allowed) and end-to-end tests (real app, real databases, real sockets).
 *
 * NestJS 12 and some of its dependencies ship only ES modules. Node 20 loads them from the
 * built CommonJS app through require(esm), but Jest's module runtime cannot, so
 * test/support/esm-to-cjs.transformer.js rewrites those packages to CommonJS while ts-jest
 * compiles our code.
 */
const ESM_PACKAGES = ['@nestjs', 'file-type', 'token-types', 'strtok3', 'uint8array-extras', '@tokenizer', 'peek-readable', '@borewit', 'load-esm'];

const shared = {
  testEnvironment: 'node',
  rootDir: '.',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
    '^.+\\.js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
};

module.exports = {
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/skipped-suites.reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
