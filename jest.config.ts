import type { Config } from 'jest';

// p-memoize and its dependency mimic-function are published as ES modules only; jest's
// module system loads CommonJS, so ts-jest compiles them along with our TypeScript. So are
// oidc-provider and its jose, run inside the test process by the OAuth 2 integration tests
// (compiled this way they also share the test's clock, so fake timers move their expiry too).
const esmOnlyPackages = ['p-memoize', 'mimic-function', 'oidc-provider', 'jose'];

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/__tests__/setup/ensure-chromium.ts',
  testTimeout: 20000,
};

export default config;
