import { inspect } from 'node:util';
import { Readable } from 'node:stream';
import {
  attachBearerAuth,
  BearerAuthError,
  ErrorCode,
  InvalidTokenResponseError,
  isBearerAuthError,
  isInvalidTokenResponseError,
  isNotReplayableError,
  isOAuthConfigurationError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  NotReplayableError,
  OAuthConfigurationError,
  RefreshFailedError,
  RefreshTimeoutError,
  SessionEndedError,
  type AuthSessionOptions,
  type TokenSet,
} from '../../src/index.js';
import {
  flush,
  NEW_ACCESS,
  NEW_REFRESH,
  newInstance,
  OLD_ACCESS,
  OLD_REFRESH,
  settle,
  tokenOf,
} from './helpers.js';

const SECRETS = [OLD_ACCESS, OLD_REFRESH, NEW_ACCESS, NEW_REFRESH];

describe('the error classes', () => {
  const cause = new Error('root cause');
  const cases: Array<[string, BearerAuthError, string, typeof RefreshFailedError | undefined]> = [
    [
      'RefreshFailedError',
      new RefreshFailedError('failed', { cause, status: 503 }),
      ErrorCode.REFRESH_FAILED,
      undefined,
    ],
    [
      'RefreshTimeoutError',
      new RefreshTimeoutError(1234),
      ErrorCode.REFRESH_TIMEOUT,
      RefreshFailedError,
    ],
    [
      'InvalidTokenResponseError',
      new InvalidTokenResponseError('accessToken', 'is missing', { cause }),
      ErrorCode.INVALID_TOKEN_RESPONSE,
      RefreshFailedError,
    ],
    [
      'SessionEndedError',
      new SessionEndedError('refresh-refused', { cause, oauthError: 'invalid_grant' }),
      ErrorCode.SESSION_ENDED,
      undefined,
    ],
    [
      'NotReplayableError',
      new NotReplayableError('a Node.js stream', { cause }),
      ErrorCode.NOT_REPLAYABLE,
      undefined,
    ],
    [
      'OAuthConfigurationError',
      new OAuthConfigurationError('refused', { cause, status: 401, oauthError: 'invalid_client' }),
      ErrorCode.OAUTH_CONFIGURATION,
      RefreshFailedError,
    ],
  ];

  it.each(cases)('%s has a fixed name and a stable code', (name, error, code, parent) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(BearerAuthError);
    expect(error).toBeInstanceOf(Error);
    if (parent) expect(error).toBeInstanceOf(parent);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
    expect(error.stack).toContain(name);
    expect(isBearerAuthError(error)).toBe(true);
  });

  it('keeps the cause on the standard property', () => {
    const cause = new Error('root cause');
    expect(new RefreshFailedError('x', { cause }).cause).toBe(cause);
    expect(new SessionEndedError('logout', { cause }).cause).toBe(cause);
    expect(new NotReplayableError('a stream', { cause }).cause).toBe(cause);
  });

  it('exposes the details of each failure', () => {
    expect(new RefreshFailedError('x', { status: 503 }).status).toBe(503);
    expect(new RefreshTimeoutError(1234)).toMatchObject({ timeout: 1234 });
    expect(new RefreshTimeoutError(1234).message).toMatch(/1234 ms[\s\S]*skipAuth/);
    expect(new InvalidTokenResponseError('expiresAt', 'bad').field).toBe('expiresAt');
    expect(
      new SessionEndedError('refresh-refused', {
        oauthError: 'invalid_grant',
        oauthErrorDescription: 'expired',
      }),
    ).toMatchObject({
      reason: 'refresh-refused',
      oauthError: 'invalid_grant',
      oauthErrorDescription: 'expired',
    });
    expect(new SessionEndedError('no-tokens').message).toMatch(/setTokens/);
  });

  it('has guards that tell the errors apart', () => {
    const guards = {
      isRefreshFailedError,
      isRefreshTimeoutError,
      isInvalidTokenResponseError,
      isSessionEndedError,
      isNotReplayableError,
      isOAuthConfigurationError,
    };
    const expected: Record<string, string[]> = {
      RefreshFailedError: ['isRefreshFailedError'],
      RefreshTimeoutError: ['isRefreshFailedError', 'isRefreshTimeoutError'],
      InvalidTokenResponseError: ['isRefreshFailedError', 'isInvalidTokenResponseError'],
      SessionEndedError: ['isSessionEndedError'],
      NotReplayableError: ['isNotReplayableError'],
      OAuthConfigurationError: ['isRefreshFailedError', 'isOAuthConfigurationError'],
    };
    for (const [name, error] of cases) {
      const matching = Object.entries(guards)
        .filter(([, guard]) => guard(error))
        .map(([guardName]) => guardName);
      expect(matching).toEqual(expected[name]);
    }
    for (const other of [
      new Error('x'),
      new TypeError('x'),
      null,
      undefined,
      'ERR_SESSION_ENDED',
      { code: 'ERR_SESSION_ENDED' },
    ]) {
      expect(isBearerAuthError(other)).toBe(false);
      for (const guard of Object.values(guards)) expect(guard(other)).toBe(false);
    }
  });

  it('has guards that recognise an error from another copy of the library by its code', () => {
    const foreign = Object.assign(new Error('from another bundle'), {
      name: 'SessionEndedError',
      code: 'ERR_SESSION_ENDED',
    });
    expect(isSessionEndedError(foreign)).toBe(true);
    expect(isBearerAuthError(foreign)).toBe(true);
  });
});

/** Every way a logger might print `value`, its cause chain included. */
function renderings(value: unknown): string[] {
  const out = [
    inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error
        ? { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause }
        : v,
    ) ?? '',
  ];
  let current: unknown = value;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    out.push(String(current), current.stack ?? '', JSON.stringify(current));
    current = current.cause;
  }
  return out;
}

function expectNoSecret(value: unknown) {
  for (const text of renderings(value)) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}

/** A session on a mocked API with every event recorded. */
function setupLeakCheck(
  refresh: AuthSessionOptions['refresh'],
  extra: Partial<AuthSessionOptions> = {},
) {
  const { instance, mock } = newInstance();
  const events: unknown[] = [];
  const record = (event: unknown) => {
    events.push(event);
  };
  const { session } = attachBearerAuth(instance, {
    tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
    refresh,
    onTokenRefreshed: record,
    onRefreshFailed: record,
    onSessionEnded: record,
    onReplay: record,
    onStoreError: record,
    ...extra,
  });
  mock.onAny().reply((config) => (tokenOf(config) === NEW_ACCESS ? [200] : [401]));
  return { instance, mock, session, events };
}

/** A refresh through a mocked token endpoint whose request is full of secrets. */
function leakyTokenEndpoint(status: number) {
  const { instance: client, mock } = newInstance();
  mock.onPost(/\/token/).reply(status, {
    error: status === 400 ? 'invalid_grant' : 'server_error',
    error_description: `refresh token ${OLD_REFRESH} cannot be used with ${OLD_ACCESS}`,
    echo: { refresh_token: OLD_REFRESH },
  });
  return async (current: TokenSet | null) => {
    const { data } = await client.post<TokenSet>(
      `/token?refresh_token=${current!.refreshToken}`,
      { grant_type: 'refresh_token', refresh_token: current!.refreshToken },
      {
        headers: { Authorization: `Bearer ${current!.accessToken}`, 'X-Refresh': OLD_REFRESH },
        auth: { username: 'client', password: OLD_REFRESH },
      },
    );
    return data;
  };
}

describe('no token in errors or events', () => {
  it('after a 500 from a token endpoint whose request held both tokens', async () => {
    const t = setupLeakCheck(leakyTokenEndpoint(500));

    const outcome = await settle(t.instance.get('/a'));

    expect(outcome.status).toBe('rejected');
    const error = (outcome as { reason: RefreshFailedError }).reason;
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(error.status).toBe(500);
    // What helps diagnose it is kept.
    expect(error.cause).toMatchObject({ status: 500, method: 'POST' });
    expect((error.cause as { url: string }).url).toBe('http://127.0.0.1:9/api/token');
    expectNoSecret(error);
    expect(t.events).toHaveLength(1);
    expectNoSecret(t.events);
  });

  it('after a 400 invalid_grant whose description and request held both tokens', async () => {
    const t = setupLeakCheck(leakyTokenEndpoint(400));

    const outcomes = await Promise.all([
      settle(t.instance.get('/a')),
      settle(t.instance.get('/b')),
    ]);

    const error = (outcomes[0] as { reason: SessionEndedError }).reason;
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(error.oauthError).toBe('invalid_grant');
    expect(error.oauthErrorDescription).toMatch(/refresh token .* cannot be used/);
    expectNoSecret(error);
    expectNoSecret((outcomes[1] as { reason: unknown }).reason);
    // onRefreshFailed and onSessionEnded.
    expect(t.events).toHaveLength(2);
    expectNoSecret(t.events);
  });

  it('after a refresh that throws an error naming the tokens, with a cause chain', async () => {
    const t = setupLeakCheck(async (current) => {
      throw new Error(`could not refresh ${current!.refreshToken} for ${current!.accessToken}`, {
        cause: new Error(`inner ${current!.refreshToken}`, {
          cause: `string ${current!.accessToken}`,
        }),
      });
    });

    const outcome = await settle(t.instance.get('/a'));

    const error = (outcome as { reason: RefreshFailedError }).reason;
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect((error.cause as Error).message).toMatch(/could not refresh/);
    expectNoSecret(error);
    expectNoSecret(t.events);
  });

  it('after a refresh that throws a string or a plain object holding the tokens', async () => {
    for (const thrown of [
      `token ${OLD_REFRESH}`,
      { refreshToken: OLD_REFRESH, accessToken: OLD_ACCESS },
    ]) {
      const t = setupLeakCheck(() => Promise.reject(thrown));
      const outcome = await settle(t.instance.get('/a'));
      expect(isRefreshFailedError((outcome as { reason: unknown }).reason)).toBe(true);
      expectNoSecret((outcome as { reason: unknown }).reason);
      expectNoSecret(t.events);
    }
  });

  it('after a refresh that rejects with a SessionEndedError whose cause holds the tokens', async () => {
    const t = setupLeakCheck(async () => {
      throw new SessionEndedError('refresh-refused', {
        cause: new Error(`refused ${OLD_REFRESH}`),
        oauthError: 'invalid_grant',
        oauthErrorDescription: `bad ${OLD_REFRESH}`,
      });
    });

    const outcome = await settle(t.instance.get('/a'));

    expect(isSessionEndedError((outcome as { reason: unknown }).reason)).toBe(true);
    expectNoSecret((outcome as { reason: unknown }).reason);
    expectNoSecret(t.events);
  });

  it('after a refresh that resolves to an unusable token set holding the new tokens', async () => {
    const t = setupLeakCheck(async () => ({
      accessToken: `has spaces ${NEW_ACCESS}`,
      refreshToken: NEW_REFRESH,
    }));

    const outcome = await settle(t.instance.get('/a'));

    const error = (outcome as { reason: InvalidTokenResponseError }).reason;
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error.field).toBe('accessToken');
    expectNoSecret(error);
    expectNoSecret(t.events);
  });

  it('in the events of a successful refresh and replay', async () => {
    const t = setupLeakCheck(async () => ({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH }));

    await t.instance.get('/a', { params: { access_token: OLD_ACCESS } });

    expect(t.events).toHaveLength(2);
    expect(t.events[0]).toMatchObject({ trigger: 'refusal', fingerprint: expect.any(String) });
    expect(t.events[1]).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:9/api/a' });
    expectNoSecret(t.events);
  });

  it('in a store error whose message holds the tokens', async () => {
    const t = setupLeakCheck(async () => ({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH }), {
      store: {
        get: () => null,
        set: (tokens) => {
          throw new Error(`disk full writing ${JSON.stringify(tokens)}`);
        },
        clear: () => undefined,
      },
    });

    await t.instance.get('/a');
    await flush();

    expect(t.events.length).toBeGreaterThanOrEqual(1);
    expect(t.events).toContainEqual(expect.objectContaining({ operation: 'set' }));
    expectNoSecret(t.events);
  });

  it('in a timeout and a not-replayable error', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const t = setupLeakCheck(() => new Promise(() => undefined), { refreshTimeout: 100 });
      const outcome = settle(t.instance.get('/a'));
      await flush();
      await jest.advanceTimersByTimeAsync(100);
      const settled = await outcome;
      expect(isRefreshTimeoutError((settled as { reason: unknown }).reason)).toBe(true);
      expectNoSecret((settled as { reason: unknown }).reason);
      expectNoSecret(t.events);
    } finally {
      jest.useRealTimers();
    }

    const t = setupLeakCheck(async () => ({ accessToken: NEW_ACCESS }));
    const outcome = await settle(t.instance.post('/upload', Readable.from([OLD_REFRESH])));
    expect(isNotReplayableError((outcome as { reason: unknown }).reason)).toBe(true);
    expectNoSecret((outcome as { reason: unknown }).reason);
    expectNoSecret(t.events);
  });
});
