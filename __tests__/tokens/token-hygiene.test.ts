/**
 * Token hygiene: refresh results that are not usable bearer tokens are refused with a typed error
 * that names the field and never the value, and no error or event the library produces holds a
 * token.
 */
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { Readable } from 'node:stream';
import {
  attachBearerAuth,
  createAuthSession,
  ErrorCode,
  InvalidTokenResponseError,
  isBearerAuthError,
  isInvalidTokenResponseError,
  isNotReplayableError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  type RefreshFunction,
  type TokenSet,
  type TokenStore,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  ACCESS_3,
  REFRESH_1,
  REFRESH_2,
  acceptOnly,
  flush,
  mockedInstance,
  recordEvents,
  serialise,
  useFakeClock,
} from './support.js';

/** Marks every bad value, so the test can search for it in messages. */
const SECRET = 'LEAKcheckQ9w8e7r6t5y4';

describe('refresh results that are not a usable token set', () => {
  const cases: Array<[string, unknown, string]> = [
    ['undefined', undefined, 'the token set'],
    ['null', null, 'the token set'],
    ['a bare string', SECRET, 'the token set'],
    ['an object without accessToken', { refreshToken: SECRET }, 'accessToken'],
    ['an empty accessToken', { accessToken: '' }, 'accessToken'],
    ['a numeric accessToken', { accessToken: 1234567890 }, 'accessToken'],
    ['an accessToken object', { accessToken: { value: SECRET } }, 'accessToken'],
    ['CR LF (header injection)', { accessToken: `${SECRET}\r\nX-Injected: 1` }, 'accessToken'],
    ['a lone LF', { accessToken: `${SECRET}\nmore` }, 'accessToken'],
    ['a lone CR', { accessToken: `${SECRET}\rmore` }, 'accessToken'],
    ['a space', { accessToken: `${SECRET} more` }, 'accessToken'],
    ['a tab', { accessToken: `${SECRET}\tmore` }, 'accessToken'],
    ['a NUL', { accessToken: `${SECRET}\u0000more` }, 'accessToken'],
    ['a DEL', { accessToken: `${SECRET}\u007fmore` }, 'accessToken'],
    ['a non-ASCII letter', { accessToken: `${SECRET}é` }, 'accessToken'],
    ['a double quote', { accessToken: `${SECRET}"` }, 'accessToken'],
    ['a comma', { accessToken: `${SECRET},more` }, 'accessToken'],
    ['a leading =', { accessToken: `=${SECRET}` }, 'accessToken'],
    ['"Bearer " already in it', { accessToken: `Bearer ${SECRET}` }, 'accessToken'],
    ['a numeric refreshToken', { accessToken: ACCESS_2, refreshToken: 987654321 }, 'refreshToken'],
    ['an object refreshToken', { accessToken: ACCESS_2, refreshToken: [SECRET] }, 'refreshToken'],
    ['a string expiresAt', { accessToken: ACCESS_2, expiresAt: SECRET }, 'expiresAt'],
    ['a NaN expiresIn', { accessToken: ACCESS_2, expiresIn: NaN }, 'expiresIn'],
  ];

  it.each(cases)(
    'rejects %s with InvalidTokenResponseError naming the field, never the value',
    async (_what, result, field) => {
      const { callbacks, ofType } = recordEvents();
      const session = createAuthSession({
        refresh: async () => result as TokenSet,
        tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
        ...callbacks,
      });
      const { instance, mock } = mockedInstance();
      attachBearerAuth(instance, session);
      const sent = acceptOnly(mock, () => []);

      const failure = await instance.get('/me').catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(InvalidTokenResponseError);
      expect(failure).toMatchObject({
        name: 'InvalidTokenResponseError',
        code: ErrorCode.INVALID_TOKEN_RESPONSE,
        field,
      });
      expect(isInvalidTokenResponseError(failure)).toBe(true);
      expect(isRefreshFailedError(failure)).toBe(true);
      const error = failure as InvalidTokenResponseError;
      expect(error.message).toContain(field);
      expect(serialise(error)).not.toContain(SECRET);
      // The bad token never went out; the old tokens are kept for a later try.
      expect(sent).toEqual([ACCESS_1]);
      expect(session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
      expect(ofType('refreshFailed').map(({ event }) => event)).toEqual([
        { error: failure, sessionEnded: false },
      ]);
    },
  );

  it('rejects the same way from session.refresh()', async () => {
    const session = createAuthSession({
      refresh: async () => ({ accessToken: `${SECRET}\r\n` }),
      tokens: { accessToken: ACCESS_1 },
    });
    const failure = await session.refresh().catch((error: unknown) => error);
    expect(failure).toMatchObject({ field: 'accessToken' });
    expect(serialise(failure)).not.toContain(SECRET);
  });

  it.each([
    ['base64 padding', `${ACCESS_2}==`],
    ['every RFC 6750 b64token character', 'Az09-._~+/'],
  ])('accepts an access token with %s', async (_what, accessToken) => {
    const session = createAuthSession({
      refresh: async () => ({ accessToken }),
      tokens: { accessToken: ACCESS_1 },
    });
    await expect(session.refresh()).resolves.toEqual({ accessToken });
  });
});

describe('no token in any error or event', () => {
  beforeEach(() => useFakeClock());
  afterEach(() => jest.useRealTimers());

  const ACCESS_4 = 'AT4wQe5Rt6Yu7Io8Pa9Sd';
  const REFRESH_3 = 'RT3nMb5Vc7Xz9Lk1Jh3Gf';
  const ALL_TOKENS = [ACCESS_1, ACCESS_2, ACCESS_3, ACCESS_4, REFRESH_1, REFRESH_2, REFRESH_3];

  it('holds across success, refusal, failures, timeout, a stream replay, store errors and logout', async () => {
    const { callbacks, events } = recordEvents();
    const errors: unknown[] = [];
    const keep = (error: unknown) => {
      if (isBearerAuthError(error)) errors.push(error);
      return error;
    };

    // A token endpoint that answers with whatever the step needs, echoing what it was sent as
    // careless servers do.
    const tokenHttp = axios.create({ baseURL: 'http://127.0.0.1:9/oauth' });
    const tokenEndpoint = new MockAdapter(tokenHttp, { onNoMatch: 'throwException' });
    const echo = (config: { data?: unknown; headers?: unknown }) => ({
      error_description: `bad grant in ${String(config.data)} ${JSON.stringify(config.headers)}`,
    });

    let step: 'ok' | 'error-500' | 'throw' | 'invalid' | 'hang' | 'refused' = 'ok';
    const refresh: RefreshFunction = async (current, { signal }) => {
      switch (step) {
        case 'throw':
          throw new Error(`cannot refresh ${current?.refreshToken} after ${current?.accessToken}`);
        case 'invalid':
          return { accessToken: `${ACCESS_4}\r\n${current?.accessToken}` };
        case 'hang':
          return new Promise(() => undefined);
        default: {
          const { data } = await tokenHttp.post<{ access_token: string; refresh_token: string }>(
            `/token?refresh_token=${current?.refreshToken}`,
            `refresh_token=${current?.refreshToken}`,
            { signal, headers: { Authorization: `Bearer ${current?.accessToken}` } },
          );
          return { accessToken: data.access_token, refreshToken: data.refresh_token };
        }
      }
    };
    tokenEndpoint.onPost(/\/token/).reply((config) => {
      if (step === 'error-500') return [500, echo(config)];
      if (step === 'refused') return [400, { error: 'invalid_grant', ...echo(config) }];
      return [200, { access_token: ACCESS_2, refresh_token: REFRESH_2 }];
    });

    // A store that quotes what it was given in its errors.
    const store: TokenStore = {
      get: () => null,
      set: (tokens) => {
        throw new Error(`disk full, lost ${JSON.stringify(tokens)}`);
      },
      clear: () => Promise.reject(new Error('cannot clear')),
    };
    const session = createAuthSession({
      refresh,
      store,
      refreshTimeout: 5_000,
      ...callbacks,
    });
    await session.setTokens({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session);
    const accepted = [ACCESS_2];
    acceptOnly(mock, () => accepted);

    // Refused, refreshed, replayed.
    await instance.get('/me?token=x');
    // A refused stream body cannot be replayed.
    accepted.length = 0;
    await session.setTokens({ accessToken: ACCESS_3, refreshToken: REFRESH_1 });
    await instance.post('/upload', Readable.from(['chunk'])).catch(keep);
    // Transient failures: a 500 that echoes the grant, a refresh that throws, an unusable result.
    for (const failing of ['error-500', 'throw', 'invalid'] as const) {
      step = failing;
      await instance.get('/me').catch(keep);
      await session.setTokens({ accessToken: ACCESS_1, refreshToken: REFRESH_3 });
    }
    // A refresh that never settles.
    step = 'hang';
    const hanging = instance.get('/me').catch(keep);
    await flush();
    await jest.advanceTimersByTimeAsync(5_000);
    await hanging;
    // The refresh token is refused: the session ends.
    step = 'refused';
    await instance.get('/me').catch(keep);
    await instance.get('/me').catch(keep);
    await session.refresh().catch(keep);
    // Logout.
    await session.setTokens({ accessToken: ACCESS_4, refreshToken: REFRESH_2 });
    await session.clear();
    await instance.get('/me').catch(keep);
    await flush();

    // Every kind of error and event was produced.
    expect(errors.filter(isNotReplayableError)).toHaveLength(1);
    expect(errors.filter(isRefreshTimeoutError)).toHaveLength(1);
    expect(errors.filter(isInvalidTokenResponseError)).toHaveLength(1);
    expect(errors.filter((error) => isRefreshFailedError(error))).toHaveLength(4);
    expect(errors.filter(isSessionEndedError).map((error) => error.reason)).toEqual([
      'refresh-refused',
      'refresh-refused',
      'refresh-refused',
      'logout',
    ]);
    expect(new Set(events.map((entry) => entry.type))).toEqual(
      new Set(['tokenRefreshed', 'refreshFailed', 'sessionEnded', 'replay', 'storeError']),
    );
    // The causes kept what helps: the status and the OAuth error, not the echo.
    expect(
      errors.find((error) => isRefreshFailedError(error) && error.status === 500),
    ).toBeDefined();
    expect(errors.find(isSessionEndedError)).toMatchObject({ oauthError: 'invalid_grant' });

    const printed = serialise({ errors, events });
    for (const token of ALL_TOKENS) expect(printed).not.toContain(token);
    // The scrubber had real work: messages that quoted tokens reached the events, redacted.
    expect(printed).toContain('cannot refresh [redacted] after [redacted]');
    expect(printed).toContain('disk full, lost');
  });
});
