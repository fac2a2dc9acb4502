/**
 * Expiry: where a token's expiry comes from, when a request waits for a proactive refresh
 * (refreshLeeway, half-life for short-lived tokens), and what happens when it is unknown or the
 * token endpoint hands out an already expired token.
 */
import {
  attachBearerAuth,
  createAuthSession,
  type AuthSession,
  type RefreshFunction,
  type RefreshResult,
  type TokenSet,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  ACCESS_3,
  acceptOnly,
  deferred,
  flush,
  jwtExpiringAt,
  jwtWithPayload,
  MINUTE,
  mockedInstance,
  REFRESH_1,
  T0,
  tokenOf,
  useFakeClock,
} from './support.js';

beforeEach(() => useFakeClock());
afterEach(() => jest.useRealTimers());

/** A refresh function that answers with `results` in turn (the last one repeats). */
function refreshReturning(...results: RefreshResult[]) {
  const calls: Array<{ current: TokenSet | null; trigger: string; at: number }> = [];
  const refresh = jest.fn<ReturnType<RefreshFunction>, Parameters<RefreshFunction>>(
    async (current, { trigger }) => {
      calls.push({ current, trigger, at: Date.now() });
      return results[Math.min(calls.length, results.length) - 1]!;
    },
  );
  return { refresh, calls };
}

/** A session with `tokens` attached to a mocked instance that accepts `accepted` tokens. */
function setup(options: {
  tokens?: TokenSet;
  results: RefreshResult[];
  accepted?: string[];
  refreshLeeway?: number;
}) {
  const { refresh, calls } = refreshReturning(...options.results);
  const session = createAuthSession({
    refresh,
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.refreshLeeway === undefined ? {} : { refreshLeeway: options.refreshLeeway }),
  });
  const { instance, mock } = mockedInstance();
  attachBearerAuth(instance, session);
  const accepted = options.accepted ?? [ACCESS_1, ACCESS_2, ACCESS_3];
  const sent = acceptOnly(mock, () => accepted);
  return { session, instance, mock, sent, refresh, calls };
}

describe('expiry from each source', () => {
  it('keeps expiresAt from the token set as given', async () => {
    const session = createAuthSession({
      refresh: jest.fn(),
      tokens: { accessToken: ACCESS_1, expiresAt: T0 + 5 * MINUTE },
    });
    await session.ready;
    expect(session.getTokens()).toEqual({ accessToken: ACCESS_1, expiresAt: T0 + 5 * MINUTE });
  });

  it('counts expiresIn from the moment the refresh started, not when it ended', async () => {
    const answer = deferred<RefreshResult>();
    const session = createAuthSession({
      refresh: () => answer.promise,
      tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
    });
    const refreshed = session.refresh();
    await flush();
    jest.setSystemTime(T0 + 7_000); // the token endpoint took 7 s to answer
    answer.resolve({ accessToken: ACCESS_2, expiresIn: 3600 });

    await expect(refreshed).resolves.toEqual({
      accessToken: ACCESS_2,
      refreshToken: REFRESH_1,
      expiresAt: T0 + 3600 * 1000,
    });
  });

  it('prefers expiresAt over expiresIn, and expiresIn over the JWT exp claim', async () => {
    const jwt = jwtExpiringAt(T0 + 99 * MINUTE);
    const { session } = setup({
      tokens: { accessToken: ACCESS_1 },
      results: [
        { accessToken: jwt, expiresAt: T0 + 5 * MINUTE, expiresIn: 60 },
        { accessToken: jwt, expiresIn: 60 },
      ],
    });

    expect((await session.refresh()).expiresAt).toBe(T0 + 5 * MINUTE);
    jest.setSystemTime(T0 + 1_000);
    await session.setTokens({ accessToken: ACCESS_1 }); // so the next refresh starts from it
    expect((await session.refresh()).expiresAt).toBe(T0 + 1_000 + 60_000);
  });

  it('reads the exp claim of a JWT access token when neither expiresAt nor expiresIn is given', async () => {
    const fromRefresh = jwtExpiringAt(T0 + 20 * MINUTE);
    const fromLogin = jwtExpiringAt(T0 + 10 * MINUTE, 'user-2');
    const { session } = setup({ tokens: { accessToken: ACCESS_1 }, results: [] });

    await session.setTokens({ accessToken: fromLogin });
    expect(session.getTokens()?.expiresAt).toBe(T0 + 10 * MINUTE);

    const { session: refreshed } = setup({
      tokens: { accessToken: ACCESS_1 },
      results: [{ accessToken: fromRefresh }],
    });
    expect((await refreshed.refresh()).expiresAt).toBe(T0 + 20 * MINUTE);
  });

  it('reads the exp claim of a payload whose base64url holds - and _ and no padding', () => {
    // This subject puts `_` and `-` in the base64url payload, and makes its length one short of a
    // multiple of 4: it needs one `=` of padding, which a JWT leaves out.
    const jwt = jwtWithPayload(JSON.stringify({ sub: '??>>x', exp: (T0 + 10 * MINUTE) / 1000 }));
    expect(jwt.split('.')[1]).toMatch(/^(?=.*-)(?=.*_)[\w-]*$/);
    expect(jwt.split('.')[1]!.length % 4).toBe(3);
    const session = createAuthSession({ refresh: jest.fn(), tokens: { accessToken: jwt } });

    expect(session.getTokens()?.expiresAt).toBe(T0 + 10 * MINUTE);
  });

  it('refreshes a JWT before its exp claim without any 401', async () => {
    const jwt = jwtExpiringAt(T0 + 10 * MINUTE);
    const { instance, sent, calls } = setup({
      tokens: { accessToken: jwt },
      results: [{ accessToken: ACCESS_2 }],
      accepted: [ACCESS_2],
    });

    jest.setSystemTime(T0 + 10 * MINUTE - 29_000);
    await expect(instance.get('/me')).resolves.toMatchObject({ status: 200 });
    expect(calls.map((call) => call.trigger)).toEqual(['expiry']);
    expect(sent).toEqual([ACCESS_2]);
  });

  const jwtWithoutSignature = jwtExpiringAt(T0 + MINUTE).replace(/\.[^.]*$/, '');
  const notExpiring: Array<[string, string]> = [
    ['an opaque token', ACCESS_1],
    ['a token with two dot-separated parts', 'abc.def'],
    ['a token with four dot-separated parts', 'a.b.c.d'],
    ['a JWE-like token with five parts', 'a.b.c.d.e'],
    ['a JWT payload with exp in a token of two parts', jwtWithoutSignature],
    ['a JWT payload with exp in a token of four parts', `${jwtExpiringAt(T0 + MINUTE)}.more`],
    ['a JWT with an empty payload', 'abc..def'],
    ['a JWT whose payload is not base64', 'abc.~~~~.def'],
    ['a JWT whose payload is not JSON', jwtWithPayload('this is not json')],
    ['a JWT whose payload is truncated JSON', jwtWithPayload('{"exp": 18934')],
    ['a JWT whose payload is JSON null', jwtWithPayload('null')],
    ['a JWT whose payload is a JSON array', jwtWithPayload('[1893456000]')],
    ['a JWT without exp', jwtWithPayload('{"sub":"x"}')],
    ['a JWT whose exp is a string', jwtWithPayload('{"exp":"1893456000"}')],
    ['a JWT whose exp is null', jwtWithPayload('{"exp":null}')],
    ['a JWT whose exp is an object', jwtWithPayload('{"exp":{"value":1}}')],
    ['a JWT whose exp overflows to Infinity', jwtWithPayload('{"exp":1e400}')],
  ];

  it.each(notExpiring)(
    'treats the expiry of %s as unknown: no error, sent as is years later, refused then refreshed',
    async (_what, token) => {
      const { session, instance, sent, calls } = setup({
        tokens: { accessToken: token },
        results: [{ accessToken: ACCESS_2 }],
        accepted: [ACCESS_2],
      });
      expect(session.getTokens()).toEqual({ accessToken: token });
      await expect(session.setTokens({ accessToken: token })).resolves.toBeUndefined();
      expect(session.getTokens()).toEqual({ accessToken: token });

      jest.setSystemTime(T0 + 5 * 365 * 24 * 60 * MINUTE);
      await expect(instance.get('/me')).resolves.toMatchObject({ data: { token: ACCESS_2 } });
      expect(sent).toEqual([token, ACCESS_2]);
      expect(calls.map((call) => call.trigger)).toEqual(['refusal']);
    },
  );
});

describe('refreshLeeway', () => {
  const expiresAt = T0 + 10 * MINUTE;

  /** Sends one request at `time` and tells in which order the refresh and the request went. */
  async function requestAt(time: number, refreshLeeway?: number) {
    const order: string[] = [];
    const currents: Array<TokenSet | null> = [];
    const session = createAuthSession({
      tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1, expiresAt },
      refresh: async (current, { trigger }) => {
        order.push(`refresh (${trigger})`);
        currents.push(current);
        return { accessToken: ACCESS_2, expiresIn: 3600 };
      },
      ...(refreshLeeway === undefined ? {} : { refreshLeeway }),
    });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session);
    mock.onAny().reply((config) => {
      order.push(`request with ${tokenOf(config)}`);
      return [200, {}];
    });
    jest.setSystemTime(time);
    await instance.get('/me');
    return { order, currents };
  }

  it('sends the held token at expiresAt - leeway - 1 ms, without refreshing (default 30 s)', async () => {
    const { order } = await requestAt(expiresAt - 30_000 - 1);
    expect(order).toEqual([`request with ${ACCESS_1}`]);
  });

  it('waits for one refresh at expiresAt - leeway + 1 ms and sends the new token', async () => {
    const { order, currents } = await requestAt(expiresAt - 30_000 + 1);
    expect(order).toEqual(['refresh (expiry)', `request with ${ACCESS_2}`]);
    expect(currents[0]).toEqual({
      accessToken: ACCESS_1,
      refreshToken: REFRESH_1,
      expiresAt,
    });
  });

  it('waits for one refresh at exactly expiresAt - leeway', async () => {
    const { order } = await requestAt(expiresAt - 30_000);
    expect(order).toEqual(['refresh (expiry)', `request with ${ACCESS_2}`]);
  });

  it('applies a custom leeway on both sides of its edge', async () => {
    expect((await requestAt(expiresAt - 5_000 - 1, 5_000)).order).toEqual([
      `request with ${ACCESS_1}`,
    ]);
    expect((await requestAt(expiresAt - 5_000 + 1, 5_000)).order).toEqual([
      'refresh (expiry)',
      `request with ${ACCESS_2}`,
    ]);
  });

  it('with refreshLeeway 0, sends the token until its last millisecond and refreshes after', async () => {
    expect((await requestAt(expiresAt - 1, 0)).order).toEqual([`request with ${ACCESS_1}`]);
    expect((await requestAt(expiresAt + 1, 0)).order).toEqual([
      'refresh (expiry)',
      `request with ${ACCESS_2}`,
    ]);
  });

  it('refreshes a token that has already expired before sending it', async () => {
    const { order } = await requestAt(expiresAt + 60 * MINUTE);
    expect(order).toEqual(['refresh (expiry)', `request with ${ACCESS_2}`]);
  });

  it('refreshes a token living less than twice the leeway at half its life, not on every request', async () => {
    const { instance, sent, calls } = setup({
      tokens: { accessToken: ACCESS_1, expiresAt: T0 },
      results: [
        { accessToken: ACCESS_2, expiresIn: 20 },
        { accessToken: ACCESS_3, expiresIn: 20 },
      ],
    });

    await instance.get('/a'); // expired at T0: refreshed, ACCESS_2 lives until T0 + 20 s
    jest.setSystemTime(T0 + 10_000 - 1);
    await instance.get('/b');
    await instance.get('/c');
    jest.setSystemTime(T0 + 10_000 + 1);
    await instance.get('/d');

    expect(sent).toEqual([ACCESS_2, ACCESS_2, ACCESS_2, ACCESS_3]);
    expect(calls.map((call) => [call.trigger, call.at])).toEqual([
      ['expiry', T0],
      ['expiry', T0 + 10_001],
    ]);
  });

  it('lets concurrent requests inside the leeway share one refresh', async () => {
    const { instance, sent, refresh } = setup({
      tokens: { accessToken: ACCESS_1, expiresAt },
      results: [{ accessToken: ACCESS_2, expiresIn: 3600 }],
    });
    jest.setSystemTime(expiresAt - 1_000);

    await Promise.all(Array.from({ length: 25 }, (_, i) => instance.get(`/item/${i}`)));

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent).toEqual(Array.from({ length: 25 }, () => ACCESS_2));
  });
});

describe('a refresh that returns an already expired token', () => {
  function expiredSetup(accepted: string[], result: (at: number) => RefreshResult) {
    const calls: string[] = [];
    const session: AuthSession = createAuthSession({
      tokens: { accessToken: ACCESS_1, expiresAt: T0 + 10_000 },
      refresh: async (_current, { trigger }) => {
        calls.push(trigger);
        return { ...result(Date.now()), accessToken: calls.length === 1 ? ACCESS_2 : ACCESS_3 };
      },
    });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session);
    const sent = acceptOnly(mock, () => accepted);
    return { session, instance, sent, calls };
  }

  it('sends the request once with it; the refusal refreshes once more and the replay is final', async () => {
    const { instance, sent, calls } = expiredSetup([], (at) => ({
      accessToken: '',
      expiresAt: at - 1_000,
    }));

    await expect(instance.get('/me')).rejects.toMatchObject({ response: { status: 401 } });

    expect(calls).toEqual(['expiry', 'refusal']);
    expect(sent).toEqual([ACCESS_2, ACCESS_3]);
  });

  it.each([
    ['expiresIn 0', { expiresIn: 0 }],
    ['a negative expiresIn', { expiresIn: -3600 }],
    ['an expiresAt in the past', { expiresAt: T0 - MINUTE }],
  ])('with %s, costs at most two refreshes per request, never a loop', async (_what, expiry) => {
    const { instance, sent, calls } = expiredSetup([], () => ({ accessToken: '', ...expiry }));

    for (let i = 0; i < 3; i++) {
      await expect(instance.get(`/me/${i}`)).rejects.toMatchObject({ response: { status: 401 } });
    }

    // The first request refreshes on expiry and on refusal; the held token's expiry is then
    // ignored, so each later request costs its one refusal refresh and one replay.
    expect(calls).toEqual(['expiry', 'refusal', 'refusal', 'refusal']);
    expect(sent).toEqual([ACCESS_2, ACCESS_3, ACCESS_3, ACCESS_3, ACCESS_3, ACCESS_3]);
  });

  it('is sent as is while the server still takes it (clock skew): one refresh, no more', async () => {
    const { instance, sent, calls } = expiredSetup([ACCESS_2], (at) => ({
      accessToken: '',
      expiresAt: at - 1_000,
    }));

    await expect(instance.get('/a')).resolves.toMatchObject({ status: 200 });
    await expect(instance.get('/b')).resolves.toMatchObject({ status: 200 });

    expect(calls).toEqual(['expiry']);
    expect(sent).toEqual([ACCESS_2, ACCESS_2]);
  });
});

/**
 * axios picks the request interceptor from `runWhen` before any interceptor runs; ours then runs
 * synchronously after those of the user's that were registered later. If one of them moves the
 * session on (the clock passes the refresh time, or it starts a refresh), the request must still
 * wait for the new token, though the chain cannot wait.
 */
describe('a session that changes between axios choosing the interceptor and running it', () => {
  function setupWithInterceptor(
    outcome: () => Promise<RefreshResult>,
    interfere: (session: AuthSession) => void,
  ) {
    const { instance, mock } = mockedInstance();
    const refresh = jest.fn(outcome);
    const session = createAuthSession({
      tokens: { accessToken: ACCESS_1, expiresAt: T0 + 10 * MINUTE },
      refreshLeeway: MINUTE,
      refresh,
    });
    attachBearerAuth(instance, session);
    // Registered after attaching, so it runs before ours; synchronous, so the chain is too.
    instance.interceptors.request.use(
      (config) => {
        interfere(session);
        return config;
      },
      undefined,
      { synchronous: true },
    );
    const sent: Array<string | undefined> = [];
    mock.onGet('/me').reply((config) => {
      sent.push(tokenOf(config));
      return [tokenOf(config) === ACCESS_2 ? 200 : 401];
    });
    return { instance, refresh, sent };
  }

  it.each([
    ['the clock passes the refresh time', () => jest.setSystemTime(T0 + 9 * MINUTE + 1)],
    ['a refresh starts', (session: AuthSession) => void session.refresh()],
  ])('when %s, waits for the new token and sends it', async (_what, interfere) => {
    const { instance, refresh, sent } = setupWithInterceptor(
      async () => ({ accessToken: ACCESS_2, expiresIn: 3600 }),
      interfere,
    );

    await expect(instance.get('/me')).resolves.toMatchObject({ status: 200 });

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent).toEqual([ACCESS_2]);
  });

  it('rejects with the refresh failure when that refresh fails', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { instance, refresh, sent } = setupWithInterceptor(
        async () => {
          throw new Error('token endpoint down');
        },
        () => jest.setSystemTime(T0 + 9 * MINUTE + 1),
      );

      await expect(instance.get('/me')).rejects.toMatchObject({ code: 'ERR_REFRESH_FAILED' });
      await flush();

      expect(refresh).toHaveBeenCalledTimes(1);
      expect(sent).toEqual([]);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
