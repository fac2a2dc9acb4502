/**
 * Stores: the default memory store, slow async stores under a storm, stores that fail on every
 * call, and sessions that must never see each other's tokens.
 */
import axios from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  memoryStore,
  type StoreErrorEvent,
  type TokenSet,
  type TokenStore,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  REFRESH_1,
  REFRESH_2,
  T0,
  acceptOnly,
  flush,
  mockedInstance,
  recordEvents,
  serialise,
  startTokenServer,
  type TokenServer,
  useFakeClock,
} from './support.js';

describe('memoryStore', () => {
  it('starts empty, keeps what is set and forgets it on clear', () => {
    const store = memoryStore();
    expect(store.get()).toBeNull();
    void store.set({ accessToken: ACCESS_1 });
    expect(store.get()).toEqual({ accessToken: ACCESS_1 });
    void store.clear();
    expect(store.get()).toBeNull();
  });

  it('is one per call: two memory stores share nothing', () => {
    const first = memoryStore();
    const second = memoryStore();
    void first.set({ accessToken: ACCESS_1 });
    expect(second.get()).toBeNull();
  });

  it('receives the refreshed tokens, and hands them to a later session over the same store', async () => {
    const store = memoryStore();
    const session = createAuthSession({
      refresh: async () => ({ accessToken: ACCESS_2, refreshToken: REFRESH_2 }),
      tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
      store,
    });
    expect(store.get()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
    await session.refresh();
    expect(store.get()).toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });

    const later = createAuthSession({ refresh: jest.fn(), store });
    await later.ready;
    expect(later.getTokens()).toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
  });

  it('holds only the fields a token set has: no refreshToken or expiresAt set to undefined', async () => {
    const store = memoryStore();
    const session = createAuthSession({
      refresh: async () => ({ accessToken: ACCESS_2 }),
      tokens: { accessToken: ACCESS_1 },
      store,
    });

    await session.refresh();

    // `{ ...defaults, ...tokens }` would otherwise overwrite a default with undefined.
    expect(store.get()).toStrictEqual({ accessToken: ACCESS_2 });
    expect(session.getTokens()).toStrictEqual({ accessToken: ACCESS_2 });
  });

  it('is a copy, not a reference: changing what the store holds does not change the session', async () => {
    const store = memoryStore();
    const session = createAuthSession({ refresh: jest.fn(), store });
    await session.setTokens({ accessToken: ACCESS_1 });
    (store.get() as TokenSet).accessToken = 'tampered';
    expect(session.getTokens()).toEqual({ accessToken: ACCESS_1 });
  });
});

describe('an async store with a delay', () => {
  const STORM = 1000;
  const DELAY = 50;

  beforeEach(() => useFakeClock());
  afterEach(() => jest.useRealTimers());

  /** A store whose every call settles DELAY ms (fake time) later. */
  function slowStore(initial: TokenSet | null) {
    let value = initial;
    const calls: string[] = [];
    const later = <T>(result: () => T) =>
      new Promise<T>((resolve) => setTimeout(() => resolve(result()), DELAY));
    const store: TokenStore = {
      get: () => {
        calls.push('get');
        return later(() => value && { ...value });
      },
      set: (tokens) => {
        calls.push(`set ${tokens.accessToken}`);
        return later(() => {
          value = tokens;
        });
      },
      clear: () => {
        calls.push('clear');
        return later(() => {
          value = null;
        });
      },
    };
    return { store, calls, current: () => value };
  }

  it.each([
    ['an expired token (proactive refresh)', { expiresAt: T0 - 1 }, 'expiry'],
    ['a token of unknown expiry the server refuses', {}, 'refusal'],
  ])(
    `sends ${STORM} requests made while it loads, holding %s, with one refresh`,
    async (_what, expiry, trigger) => {
      const slow = slowStore({ accessToken: ACCESS_1, refreshToken: REFRESH_1, ...expiry });
      const refresh = jest.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, DELAY));
        return { accessToken: ACCESS_2, refreshToken: REFRESH_2 };
      });
      const session = createAuthSession({ refresh, store: slow.store });
      const { instance, mock } = mockedInstance();
      attachBearerAuth(instance, session);
      const sent = acceptOnly(mock, () => [ACCESS_2]);

      const responses = Promise.all(
        Array.from({ length: STORM }, (_, i) => instance.get<{ token: string }>(`/item/${i}`)),
      );
      await flush();
      expect(sent).toEqual([]); // nobody goes out before the store has answered
      for (let step = 0; step < 6; step++) {
        await jest.advanceTimersByTimeAsync(DELAY);
        await flush();
      }
      const tokens = (await responses).map((response) => response.data.token);

      expect(refresh).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledWith(
        expect.objectContaining({ accessToken: ACCESS_1 }),
        expect.objectContaining({ trigger }),
      );
      expect(tokens).toEqual(Array.from({ length: STORM }, () => ACCESS_2));
      expect(sent.filter((token) => token === ACCESS_2)).toHaveLength(STORM);
      expect(slow.calls).toEqual(['get', `set ${ACCESS_2}`]);
      expect(slow.current()).toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
    },
  );
});

describe('a store holding something that is not a token set', () => {
  it.each([
    ['a number as access token', { accessToken: 42 }],
    ['an access token with spaces', { accessToken: `Bearer ${ACCESS_1}` }],
    ['an expiry that is not a number', { accessToken: ACCESS_1, expiresAt: 'tomorrow' }],
    ['a bare string', ACCESS_1],
  ])('reads %s as no tokens: nothing is sent', async (_what, value) => {
    const session = createAuthSession({
      refresh: jest.fn(),
      store: { get: () => value as TokenSet, set: jest.fn(), clear: jest.fn() },
    });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session);
    const sent = acceptOnly(mock, () => [ACCESS_1]);

    await session.ready;
    expect(session.getTokens()).toBeNull();
    const error = await instance.get('/a').catch((reason: unknown) => reason);
    expect(isSessionEndedError(error)).toBe(true);
    expect(sent).toEqual([]);
  });
});

describe('a store that fails on every call', () => {
  /** Fails with a message that quotes what it was given, as careless stores do. */
  const failure = (what: string, tokens?: TokenSet) =>
    new Error(`storage unavailable: ${what} ${tokens ? JSON.stringify(tokens) : ''}`);

  const throwing: TokenStore = {
    get: () => {
      throw failure('get');
    },
    set: (tokens) => {
      throw failure('set', tokens);
    },
    clear: () => {
      throw failure('clear');
    },
  };
  const rejecting: TokenStore = {
    get: () => Promise.reject(failure('get')),
    set: (tokens) => Promise.reject(failure('set', tokens)),
    clear: () => Promise.reject(failure('clear')),
  };

  it.each([
    ['throws', throwing],
    ['rejects', rejecting],
  ])(
    'that %s: requests still work from memory, onStoreError fires, onRefreshFailed does not',
    async (_how, store) => {
      const { callbacks, ofType, events } = recordEvents();
      const session = createAuthSession({
        refresh: async () => ({ accessToken: ACCESS_2, refreshToken: REFRESH_2 }),
        store,
        ...callbacks,
      });
      const { instance, mock } = mockedInstance();
      attachBearerAuth(instance, session);
      const sent = acceptOnly(mock, () => [ACCESS_2]);

      // Loading failed: no tokens, the request fails as for any session without tokens.
      const noTokens = await instance.get('/a').catch((error: unknown) => error);
      expect(isSessionEndedError(noTokens)).toBe(true);

      // A login is kept in memory although the store refuses it.
      await expect(
        session.setTokens({ accessToken: ACCESS_1, refreshToken: REFRESH_1 }),
      ).resolves.toBeUndefined();
      // The server refuses ACCESS_1: refresh, store fails again, the replay still succeeds.
      await expect(instance.get('/b')).resolves.toMatchObject({ data: { token: ACCESS_2 } });
      await expect(instance.get('/c')).resolves.toMatchObject({ data: { token: ACCESS_2 } });
      expect(session.getTokens()).toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
      expect(sent).toEqual([ACCESS_1, ACCESS_2, ACCESS_2]);

      await expect(session.clear()).resolves.toBeUndefined();
      await flush();

      expect(ofType('refreshFailed')).toEqual([]);
      expect(ofType('tokenRefreshed')).toHaveLength(1);
      expect(ofType('sessionEnded')).toHaveLength(1);
      const storeErrors = ofType('storeError').map(({ event }) => event as StoreErrorEvent);
      expect(storeErrors.map((event) => event.operation)).toEqual(['get', 'set', 'set', 'clear']);
      for (const { error } of storeErrors) expect(error.message).toMatch(/^storage unavailable/);
      const printed = serialise(events);
      for (const secret of [ACCESS_1, ACCESS_2, REFRESH_1, REFRESH_2]) {
        expect(printed).not.toContain(secret);
      }
    },
  );
});

describe('two sessions on two instances', () => {
  let server: TokenServer;
  beforeEach(async () => {
    server = await startTokenServer();
  });
  afterEach(() => server.close());

  function userClient() {
    const refreshCalls: string[] = [];
    const http = axios.create({ baseURL: server.origin, proxy: false });
    const session = createAuthSession({
      tokens: server.login(),
      refresh: async (current, { signal }) => {
        refreshCalls.push(current!.refreshToken!);
        const { data } = await http.post<{ access_token: string; refresh_token: string }>(
          '/token',
          new URLSearchParams({ refresh_token: current!.refreshToken! }),
          { signal },
        );
        return { accessToken: data.access_token, refreshToken: data.refresh_token };
      },
    });
    const api = axios.create({ baseURL: server.origin, proxy: false });
    attachBearerAuth(api, session);
    return { session, api, refreshCalls };
  }

  it('never send each other’s tokens, through interleaved refusals and refreshes', async () => {
    const alice = userClient();
    const bob = userClient();
    const aliceLogin = alice.session.getTokens()!.accessToken;
    const bobLogin = bob.session.getTokens()!.accessToken;
    server.expireAccessTokens(); // both refused: both refresh at once under load

    const calls = Array.from({ length: 40 }, (_, i) => {
      const user = i % 2 === 0 ? alice : bob;
      return user.api
        .get<{ token: string }>(`/me/${i}`)
        .then((response) => ({ user, token: response.data.token }));
    });
    const results = await Promise.all(calls);

    const aliceNow = alice.session.getTokens()!.accessToken;
    const bobNow = bob.session.getTokens()!.accessToken;
    expect(aliceNow).not.toBe(bobNow);
    expect(alice.refreshCalls).toHaveLength(1);
    expect(bob.refreshCalls).toHaveLength(1);
    for (const { user, token } of results) {
      expect(token).toBe(user === alice ? aliceNow : bobNow);
    }
    // On the wire, each instance sent only its own session's tokens.
    const sentBy = (tokens: string[]) =>
      server.requests.filter((request) => request.token && tokens.includes(request.token)).length;
    expect(sentBy([aliceLogin, aliceNow]) + sentBy([bobLogin, bobNow])).toBe(
      server.requests.filter((request) => request.endpoint === 'api').length,
    );
    expect(sentBy([aliceNow])).toBe(20);
    expect(sentBy([bobNow])).toBe(20);
  });
});
