/**
 * Regressions found by a fresh user attacking stores, origins and token hygiene from a clean
 * clone. Each title says what broke.
 */
import axios from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  type StoreErrorEvent,
  type TokenSet,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  mockedInstance,
  REFRESH_1,
  REFRESH_2,
  serialise,
  startRecordingServer,
  tokenOf,
  useFakeClock,
} from './support.js';

afterEach(() => {
  jest.useRealTimers();
});

const never = <T>() => new Promise<T>(() => undefined);

describe('a store whose get() never settles', () => {
  it('does not hold requests for ever: after refreshTimeout they go on with no tokens', async () => {
    useFakeClock();
    const storeErrors: StoreErrorEvent[] = [];
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, {
      refresh: async () => ({ accessToken: ACCESS_2 }),
      store: { get: never, set: () => undefined, clear: () => undefined },
      refreshTimeout: 5_000,
      onStoreError: (event) => storeErrors.push(event),
    });
    mock.onGet('/me').reply(200);

    const outcome = instance.get('/me').then(
      () => 'sent',
      (error: unknown) => error,
    );
    await jest.advanceTimersByTimeAsync(5_000);

    expect(isSessionEndedError(await outcome)).toBe(true);
    expect(mock.history).toHaveLength(0);
    expect(storeErrors.map((event) => event.operation)).toEqual(['get']);
    expect(storeErrors[0]!.error.message).toMatch(/store\.get\(\) did not settle/);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('lets a login release the waiting requests at once', async () => {
    useFakeClock();
    const { instance, mock } = mockedInstance();
    const { session } = attachBearerAuth(instance, {
      refresh: async () => ({ accessToken: ACCESS_2 }),
      store: { get: never, set: () => undefined, clear: () => undefined },
    });
    mock.onGet('/me').reply((config) => [tokenOf(config) === ACCESS_1 ? 200 : 401]);

    const outcome = instance.get('/me');
    await session.setTokens({ accessToken: ACCESS_1 });

    await expect(outcome).resolves.toMatchObject({ status: 200 });
    // The guard on the store's read still ends, so no timer outlives the session's use.
    await jest.advanceTimersByTimeAsync(30_000);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('a store whose set() never settles', () => {
  it('does not hold up refreshes, and is reported once it is late', async () => {
    useFakeClock();
    const storeErrors: StoreErrorEvent[] = [];
    let refreshes = 0;
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, {
      tokens: { accessToken: ACCESS_1 },
      refresh: async () => ({ accessToken: ++refreshes === 1 ? ACCESS_2 : 'AT4nextTokenValue9' }),
      store: { get: () => null, set: never, clear: never },
      refreshTimeout: 5_000,
      onStoreError: (event) => storeErrors.push(event),
    });
    const accepted = [ACCESS_2];
    mock.onGet('/me').reply((config) => [accepted.includes(tokenOf(config)!) ? 200 : 401]);

    await expect(instance.get('/me')).resolves.toMatchObject({ status: 200 });
    accepted.splice(0, 1, 'AT4nextTokenValue9');
    await expect(instance.get('/me')).resolves.toMatchObject({ status: 200 });
    expect(refreshes).toBe(2);

    await jest.advanceTimersByTimeAsync(5_000 * 4);
    expect(storeErrors.map((event) => event.operation)).toEqual(['set', 'set', 'set']);
    expect(storeErrors[0]!.error.message).toBe('store.set() did not settle within 5000 ms');
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('store errors', () => {
  it('never hold the tokens being written or cleared', async () => {
    const events: StoreErrorEvent[] = [];
    const echo = (tokens?: TokenSet) => {
      throw new Error(`quota exceeded writing ${JSON.stringify(tokens ?? 'nothing')}`);
    };
    const session = createAuthSession({
      tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
      refresh: async () => ({ accessToken: ACCESS_2, refreshToken: REFRESH_2 }),
      store: { get: () => null, set: echo, clear: () => echo(session?.getTokens() ?? undefined) },
      onStoreError: (event) => events.push(event),
    });
    await session.refresh();
    await session.clear();

    expect(events.map((event) => event.operation)).toEqual(['set', 'set', 'clear']);
    const printed = serialise(events);
    for (const secret of [ACCESS_1, ACCESS_2, REFRESH_1, REFRESH_2]) {
      expect(printed).not.toContain(secret);
    }
  });

  it('never hold a token in URL-encoded form, or in a cause code', async () => {
    const refreshToken = 'RT/with+slash=';
    const session = createAuthSession({
      tokens: { accessToken: ACCESS_1, refreshToken },
      refresh: async () => {
        throw Object.assign(
          new Error(`GET /tokens/${encodeURIComponent(refreshToken)}/refresh failed`),
          {
            code: `E_${refreshToken}`,
          },
        );
      },
    });

    const error = await session.refresh().catch((reason: unknown) => reason);

    const printed = serialise(error);
    expect(printed).not.toContain(refreshToken);
    expect(printed).not.toContain(encodeURIComponent(refreshToken));
  });
});

describe('a stored value with a getter that throws', () => {
  it('reads as no tokens instead of crashing the session', async () => {
    const hostile = {
      get accessToken(): string {
        throw new Error('getter boom');
      },
    };
    const session = createAuthSession({
      refresh: async () => ({ accessToken: ACCESS_2 }),
      store: { get: async () => hostile as unknown as TokenSet, set: () => {}, clear: () => {} },
    });
    await expect(session.ready).resolves.toBeUndefined();
    expect(session.getTokens()).toBeNull();
  });
});

describe('origins given in unusual shapes', () => {
  it('accepts a URL object in trustedOrigins', async () => {
    const { instance, mock } = mockedInstance();
    attachBearerAuth(
      instance,
      { tokens: { accessToken: ACCESS_1 }, refresh: async () => ({ accessToken: ACCESS_2 }) },
      { trustedOrigins: [new URL('https://files.example.com') as unknown as string] },
    );
    mock.onGet('https://files.example.com/a').reply((config) => [200, tokenOf(config)]);

    await expect(instance.get('https://files.example.com/a')).resolves.toMatchObject({
      data: ACCESS_1,
    });
  });

  it('judges a URL object given as the request url, and sends it no token', async () => {
    const other = await startRecordingServer();
    try {
      const instance = axios.create({ proxy: false }); // axios joins no URL object to a baseURL
      attachBearerAuth(instance, {
        tokens: { accessToken: ACCESS_1 },
        refresh: async () => ({ accessToken: ACCESS_2 }),
      });

      await instance.get(new URL(`${other.origin}/x`) as unknown as string);

      expect(other.received.map((request) => request.url)).toEqual(['/x']);
      expect(other.received[0]!.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
