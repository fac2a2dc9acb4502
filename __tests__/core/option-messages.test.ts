import type { AxiosInstance } from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  webStorageStore,
  type AttachOptions,
  type AuthSessionOptions,
  type StorageLike,
  type WebStorageStoreOptions,
} from '../../src/index.js';
import { NEW_ACCESS, newInstance, OLD_ACCESS, typeErrorOf } from './helpers.js';

const refresh = async () => ({ accessToken: NEW_ACCESS });

const typeErrorMessage = (fn: () => unknown): string => typeErrorOf(fn).message;

// The whole message, since it is what a developer reads: what is wrong and what is expected.
describe('option errors read in full', () => {
  it.each<[string, unknown, string]>([
    ['options that are not an object', 7, 'createAuthSession: options must be an object.'],
    [
      'a missing refresh',
      {},
      'createAuthSession: `refresh` must be a function (current tokens) => Promise<new tokens>.',
    ],
    [
      'a negative refreshTimeout',
      { refresh, refreshTimeout: -1 },
      'createAuthSession: `refreshTimeout` must be a number of ms from 0 to 2^31-1.',
    ],
    [
      'a refreshLeeway of 2^31',
      { refresh, refreshLeeway: 2 ** 31 },
      'createAuthSession: `refreshLeeway` must be a number of ms from 0 to 2^31-1.',
    ],
    [
      'a store without get',
      { refresh, store: { set: () => undefined, clear: () => undefined } },
      'createAuthSession: `store` must have get, set and clear methods.',
    ],
    [
      'a store whose set is not a function',
      { refresh, store: { get: () => null, set: 1, clear: () => undefined } },
      'createAuthSession: `store` must have get, set and clear methods.',
    ],
    [
      'crossTab without a store',
      { refresh, crossTab: { name: 'x' } },
      'createAuthSession: `crossTab` needs a shared `store`, e.g. webStorageStore().',
    ],
    [
      'tokens that are not an object',
      { refresh, tokens: 'abc' },
      'createAuthSession: tokens: the token set must be an object.',
    ],
    [
      'tokens with an empty access token',
      { refresh, tokens: { accessToken: '' } },
      'createAuthSession: tokens: accessToken must be a non-empty string.',
    ],
    [
      'tokens with a space in the access token',
      { refresh, tokens: { accessToken: `${OLD_ACCESS} x` } },
      'createAuthSession: tokens: accessToken has characters a bearer token cannot hold ' +
        '(RFC 6750: A-Z a-z 0-9 -._~+/ then =).',
    ],
    [
      'tokens with a numeric refresh token',
      { refresh, tokens: { accessToken: OLD_ACCESS, refreshToken: 1 } },
      'createAuthSession: tokens: refreshToken must be a string when present.',
    ],
    [
      'tokens with an infinite expiresAt',
      { refresh, tokens: { accessToken: OLD_ACCESS, expiresAt: Infinity } },
      'createAuthSession: tokens: expiresAt must be a finite number of epoch milliseconds.',
    ],
    [
      'tokens with a string expiresIn',
      { refresh, tokens: { accessToken: OLD_ACCESS, expiresIn: '60' } },
      'createAuthSession: tokens: expiresIn must be a finite number of seconds.',
    ],
  ])('createAuthSession with %s', (_title, options, message) => {
    expect(typeErrorMessage(() => createAuthSession(options as AuthSessionOptions))).toBe(message);
  });

  it.each([
    ['boundary values', { refreshTimeout: 0, refreshLeeway: 2 ** 31 - 1 }],
    ['tokens with null fields', { tokens: { accessToken: OLD_ACCESS, refreshToken: null } }],
    [
      'tokens with a null expiresAt and expiresIn',
      { tokens: { accessToken: OLD_ACCESS, expiresAt: null, expiresIn: null } },
    ],
    ['a base64 access token with padding', { tokens: { accessToken: 'a-b.c_d~e+f/g==' } }],
  ])('createAuthSession accepts %s', (_title, extra) => {
    const session = createAuthSession({ refresh, ...(extra as Partial<AuthSessionOptions>) });
    expect(session.getTokens()?.accessToken ?? null).toBe(
      (extra as { tokens?: { accessToken: string } }).tokens?.accessToken ?? null,
    );
  });

  it.each<[string, unknown, unknown, string]>([
    [
      'an instance that is not axios',
      {},
      undefined,
      'attachBearerAuth: the first argument must be an axios instance.',
    ],
    [
      'an object with a request method and interceptors but no request interceptors',
      { request: () => undefined, interceptors: {} },
      undefined,
      'attachBearerAuth: the first argument must be an axios instance.',
    ],
    [
      'attach options that are not an object',
      'ok',
      'Bearer',
      'attachBearerAuth: the third argument must be an options object.',
    ],
    [
      'an isRefusal that is not a function',
      'ok',
      { isRefusal: true },
      'attachBearerAuth: `isRefusal` must be a function (error) => boolean.',
    ],
    [
      'a headerName with a colon',
      'ok',
      { headerName: 'X-Token:' },
      "attachBearerAuth: `headerName` must be a non-empty HTTP token such as 'Bearer'.",
    ],
    [
      'a scheme that is not a string',
      'ok',
      { scheme: 1 },
      "attachBearerAuth: `scheme` must be a non-empty HTTP token such as 'Bearer'.",
    ],
    [
      'trustedOrigins that are not an array',
      'ok',
      { trustedOrigins: 'https://a.example' },
      'attachBearerAuth: trustedOrigins must be an array.',
    ],
    [
      'a trustedOrigins entry with a path',
      'ok',
      { trustedOrigins: [() => true, 'https://a.example/x'] },
      "attachBearerAuth: trustedOrigins[1] must be an origin like 'https://api.example.com' " +
        '(no path) or a function (url: URL) => boolean.',
    ],
  ])('attachBearerAuth with %s', (_title, instance, attachOptions, message) => {
    const target = instance === 'ok' ? newInstance().instance : (instance as AxiosInstance);
    expect(
      typeErrorMessage(() =>
        attachBearerAuth(target, { refresh }, attachOptions as AttachOptions | undefined),
      ),
    ).toBe(message);
  });

  it('attachBearerAuth a second time on one instance', () => {
    const { instance } = newInstance();
    attachBearerAuth(instance, { refresh });
    expect(typeErrorMessage(() => attachBearerAuth(instance, { refresh }))).toBe(
      'attachBearerAuth: already attached to this instance; eject() the first handle first.',
    );
  });

  it.each([
    ['the HTTP token characters', { headerName: "X-A!#$%&'*+.^_`|~9", scheme: 'Token' }],
    [
      'trusted origins as strings, URLs and functions',
      { trustedOrigins: ['https://a.example:8443', new URL('http://b.example'), () => false] },
    ],
  ])('attachBearerAuth accepts %s', (_title, attachOptions) => {
    const { instance } = newInstance();
    expect(() =>
      attachBearerAuth(instance, { refresh }, attachOptions as unknown as AttachOptions),
    ).not.toThrow();
  });

  const storage: StorageLike = {
    getItem: () => null,
    setItem: () => undefined,
    removeItem: () => undefined,
  };
  it.each<[string, unknown, string]>([
    ['options that are not an object', null, 'webStorageStore: options must be an object.'],
    ['a key given instead of options', 'my-app', 'webStorageStore: options must be an object.'],
    ['an empty key', { storage, key: '' }, 'webStorageStore: `key` must be a non-empty string.'],
    [
      'a storage without removeItem',
      { storage: { getItem: () => null, setItem: () => undefined } },
      'webStorageStore: `storage` must have getItem, setItem and removeItem methods.',
    ],
    [
      'no storage where there is no localStorage',
      {},
      'webStorageStore: there is no globalThis.localStorage here (Node, a worker, or storage ' +
        'disabled). Pass `storage`, or use memoryStore() or a store of your own.',
    ],
  ])('webStorageStore with %s', (_title, options, message) => {
    expect(typeErrorMessage(() => webStorageStore(options as WebStorageStoreOptions))).toBe(
      message,
    );
  });
});
