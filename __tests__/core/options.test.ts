import type { AxiosInstance } from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  type AttachOptions,
  type AuthSessionOptions,
} from '../../src/index.js';
import { NEW_ACCESS, newInstance, OLD_ACCESS, tokenOf, typeErrorOf } from './helpers.js';

const refresh = async () => ({ accessToken: NEW_ACCESS });

describe('createAuthSession rejects bad options with a TypeError naming the option', () => {
  it.each([undefined, null, 42, 'refresh'])('options = %p', (options) => {
    const error = typeErrorOf(() => createAuthSession(options as unknown as AuthSessionOptions));
    expect(error.message).toMatch(/createAuthSession/);
  });

  it.each([undefined, null, 'https://127.0.0.1/token', {}])('refresh = %p', (value) => {
    const error = typeErrorOf(() =>
      createAuthSession({ refresh: value } as unknown as AuthSessionOptions),
    );
    expect(error.message).toMatch(/`refresh`/);
  });

  it.each([-1, NaN, Infinity, 2 ** 31, '1000', null])('refreshTimeout = %p', (value) => {
    const error = typeErrorOf(() =>
      createAuthSession({ refresh, refreshTimeout: value as number }),
    );
    expect(error.message).toMatch(/refreshTimeout/);
  });

  it.each([-5, NaN, '30s'])('refreshLeeway = %p', (value) => {
    const error = typeErrorOf(() => createAuthSession({ refresh, refreshLeeway: value as number }));
    expect(error.message).toMatch(/refreshLeeway/);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'localStorage'],
    ['an object without set and clear', { get: () => null }],
    [
      'an object whose clear is not a function',
      { get: () => null, set: () => undefined, clear: 1 },
    ],
  ])('store = %s', (_title, store) => {
    const error = typeErrorOf(() =>
      createAuthSession({ refresh, store: store as unknown as AuthSessionOptions['store'] }),
    );
    expect(error.message).toMatch(/`store`/);
  });

  it.each([
    ['an empty accessToken', { accessToken: '' }, 'accessToken'],
    [
      'an accessToken with a line break',
      { accessToken: `${OLD_ACCESS}\r\nX-Evil: 1` },
      'accessToken',
    ],
    ['a numeric refreshToken', { accessToken: OLD_ACCESS, refreshToken: 7 }, 'refreshToken'],
    ['a non-finite expiresAt', { accessToken: OLD_ACCESS, expiresAt: NaN }, 'expiresAt'],
  ])('tokens with %s, without echoing the value', (_title, tokens, field) => {
    const error = typeErrorOf(() =>
      createAuthSession({ refresh, tokens: tokens as unknown as AuthSessionOptions['tokens'] }),
    );
    expect(error.message).toContain(field);
    expect(error.message).not.toContain(OLD_ACCESS);
  });

  it('accepts the documented edge values', () => {
    expect(() => createAuthSession({ refresh, refreshTimeout: 0, refreshLeeway: 0 })).not.toThrow();
    expect(() => createAuthSession({ refresh, refreshTimeout: 2 ** 31 - 1 })).not.toThrow();
    expect(() =>
      createAuthSession({
        refresh,
        store: { get: async () => null, set: async () => undefined, clear: async () => undefined },
      }),
    ).not.toThrow();
  });

  it('session.setTokens rejects malformed tokens with a TypeError', () => {
    const session = createAuthSession({ refresh });
    const error = typeErrorOf(() => session.setTokens({ accessToken: 'two words' }));
    expect(error.message).toMatch(/setTokens[\s\S]*accessToken/);
    expect(error.message).not.toContain('two words');
  });
});

describe('attachBearerAuth rejects bad arguments with a TypeError naming them', () => {
  it.each([
    ['null', null],
    ['a plain object', {}],
    ['an object with request but no interceptors', { request: () => undefined }],
    ['a URL string', 'http://127.0.0.1:9'],
  ])('instance = %s', (_title, instance) => {
    const error = typeErrorOf(() =>
      attachBearerAuth(instance as unknown as AxiosInstance, { refresh }),
    );
    expect(error.message).toMatch(/axios instance/);
  });

  it('session options without refresh', () => {
    const { instance } = newInstance();
    const error = typeErrorOf(() =>
      attachBearerAuth(instance, {} as unknown as AuthSessionOptions),
    );
    expect(error.message).toMatch(/`refresh`/);
  });

  const badAttachOptions: Array<[string, unknown, RegExp]> = [
    ['attachOptions = null', null, /options/],
    ['headerName empty', { headerName: '' }, /headerName/],
    ['headerName with a space', { headerName: 'X Token' }, /headerName/],
    ['headerName with a line break', { headerName: 'X-Token\r\nX-Evil' }, /headerName/],
    ['headerName not a string', { headerName: 42 }, /headerName/],
    ['scheme with a space', { scheme: 'Bear er' }, /scheme/],
    ['scheme empty', { scheme: '' }, /scheme/],
    ['isRefusal not a function', { isRefusal: 401 }, /isRefusal/],
    ['trustedOrigins not an array', { trustedOrigins: 'https://a.example' }, /trustedOrigins/],
    [
      'a trustedOrigins entry with a path',
      { trustedOrigins: ['https://a.example/api'] },
      /trustedOrigins\[0\]/,
    ],
    [
      'a trustedOrigins entry that is not http(s)',
      { trustedOrigins: ['https://a.example', 'ftp://b.example'] },
      /trustedOrigins\[1\]/,
    ],
    [
      'a trustedOrigins entry that is not a URL',
      { trustedOrigins: ['api.example.com'] },
      /trustedOrigins\[0\]/,
    ],
    [
      'a trustedOrigins entry with user info',
      { trustedOrigins: ['https://u:p@a.example'] },
      /trustedOrigins\[0\]/,
    ],
    ['a trustedOrigins entry that is a number', { trustedOrigins: [443] }, /trustedOrigins\[0\]/],
  ];

  it.each(badAttachOptions)('%s', (_title, options, pattern) => {
    const { instance } = newInstance();
    const error = typeErrorOf(() =>
      attachBearerAuth(instance, { refresh }, options as unknown as AttachOptions),
    );
    expect(error.message).toMatch(pattern);
    expect(error.message).toMatch(/attachBearerAuth/);
  });

  it('leaves the instance untouched after a rejected attach, so a correct one works', async () => {
    const { instance, mock } = newInstance();
    const handlers = (manager: unknown) =>
      (manager as { handlers: unknown[] }).handlers.filter((h) => h !== null).length;

    expect(() =>
      attachBearerAuth(instance, { refresh }, { trustedOrigins: ['not an origin'] }),
    ).toThrow(TypeError);
    expect(handlers(instance.interceptors.request)).toBe(0);
    expect(handlers(instance.interceptors.response)).toBe(0);

    attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
    mock.onGet('/a').reply(200);
    await instance.get('/a');
    expect(tokenOf(mock.history[0]!)).toBe(OLD_ACCESS);
  });
});
