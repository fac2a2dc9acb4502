import type { Config } from 'jest';
import base from './jest.config';

// Runs the suites against the oldest axios this package supports (peer range ^1.7.0), installed
// as the alias `axios-oldest`. Every `axios` import, from src/, the tests and axios-mock-adapter
// alike, goes to its CommonJS build: jest loads CommonJS, and axios's `exports` send `require`
// there too. A setup file fails every suite if `axios` still resolves to another version.
// Default: the core (unit), integration and tokens (expiry, stores, origins) suites.
const config: Config = {
  ...base,
  roots: [
    '<rootDir>/__tests__/core',
    '<rootDir>/__tests__/integration',
    '<rootDir>/__tests__/tokens',
  ],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^axios$': '<rootDir>/node_modules/axios-oldest/dist/node/axios.cjs',
  },
  setupFiles: [...(base.setupFiles ?? []), '<rootDir>/__tests__/package/axios-oldest.setup.ts'],
};

export default config;
