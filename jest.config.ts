import type { Config } from 'jest';

// p-memoize and its dependency mimic-function are published as ES modules only; jest's
// module system loads CommonJS, so ts-jest compiles them along with our TypeScript.
const esmOnlyPackages = ['p-memoize', 'mimic-function'];

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
  testTimeout: 20000,
};

export default config;
