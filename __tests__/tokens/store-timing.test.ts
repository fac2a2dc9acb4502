/**
 * When a store's tokens reach the session and when the session's tokens reach the store: a
 * synchronous store at once, an asynchronous one before any request or refresh goes ahead, and
 * a logout or login made meanwhile wins over whatever the store answers late.
 */
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  memoryStore,
  type TokenSet,
  type TokenStore,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  ACCESS_3,
  acceptOnly,
  deferred,
  flush,
  mockedInstance,
  REFRESH_1,
} from './support.js';

/** A store whose first `get()` answers only when the test says so. */
function storeReadLater() {
  const read = deferred<TokenSet | null>();
  const store: TokenStore = { get: () => read.promise, set: () => {}, clear: () => {} };
  return { store, read };
}

describe('a synchronous store', () => {
  it('hands its tokens to the session as soon as the session is created', () => {
    const session = createAuthSession({
      refresh: jest.fn(),
      store: { get: () => ({ accessToken: ACCESS_1 }), set: () => {}, clear: () => {} },
    });

    expect(session.getTokens()).toEqual({ accessToken: ACCESS_1 });
  });

  it('holds each new login as soon as setTokens returns, before any await', () => {
    const store = memoryStore();
    const session = createAuthSession({ refresh: jest.fn(), store });

    void session.setTokens({ accessToken: ACCESS_1 });
    expect(store.get()).toEqual({ accessToken: ACCESS_1 });
    void session.setTokens({ accessToken: ACCESS_2 });
    expect(store.get()).toEqual({ accessToken: ACCESS_2 });
  });
});

describe('an asynchronous store', () => {
  it('receives one write at a time, in order, so it never ends with an older login', async () => {
    const writes: Array<{ tokens: TokenSet; done: () => void }> = [];
    const store: TokenStore = {
      get: () => null,
      set: (tokens) => new Promise<void>((resolve) => writes.push({ tokens, done: resolve })),
      clear: () => {},
    };
    const session = createAuthSession({ refresh: jest.fn(), store });

    const first = session.setTokens({ accessToken: ACCESS_1 });
    const second = session.setTokens({ accessToken: ACCESS_2 });
    await flush();
    expect(writes.map((write) => write.tokens)).toEqual([{ accessToken: ACCESS_1 }]);

    writes[0]!.done();
    await first;
    await flush();
    expect(writes.map((write) => write.tokens)).toEqual([
      { accessToken: ACCESS_1 },
      { accessToken: ACCESS_2 },
    ]);
    writes[1]!.done();
    await second;
  });
});

describe('an asynchronous store still being read', () => {
  it('holds a request until the read answers, then sends the token it held', async () => {
    const { store, read } = storeReadLater();
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, { refresh: jest.fn(), store });
    const sent = acceptOnly(mock, () => [ACCESS_1]);

    const response = instance.get('/me');
    await flush();
    expect(sent).toEqual([]);

    read.resolve({ accessToken: ACCESS_1 });
    await expect(response).resolves.toMatchObject({ status: 200 });
    expect(sent).toEqual([ACCESS_1]);
  });

  it('holds session.refresh() until the read answers, then refreshes the stored tokens', async () => {
    const { store, read } = storeReadLater();
    const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
    const session = createAuthSession({ refresh, store });

    const refreshed = session.refresh();
    await flush();
    expect(refresh).not.toHaveBeenCalled();

    read.resolve({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
    await expect(refreshed).resolves.toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_1 });
    expect(refresh).toHaveBeenCalledWith(
      { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
      expect.objectContaining({ trigger: 'manual' }),
    );
  });

  it('loses to a logout made meanwhile: the stored tokens are not taken up', async () => {
    const { store, read } = storeReadLater();
    const { instance, mock } = mockedInstance();
    const { session } = attachBearerAuth(instance, { refresh: jest.fn(), store });
    const sent = acceptOnly(mock, () => [ACCESS_1]);

    await session.clear();
    read.resolve({ accessToken: ACCESS_1 });
    await session.ready;

    expect(session.getTokens()).toBeNull();
    const outcome = await instance.get('/me').catch((error: unknown) => error);
    expect(isSessionEndedError(outcome)).toBe(true);
    expect(outcome).toMatchObject({ reason: 'logout' });
    expect(sent).toEqual([]);
  });

  it('loses to a login made meanwhile', async () => {
    const { store, read } = storeReadLater();
    const session = createAuthSession({ refresh: jest.fn(), store });

    await session.setTokens({ accessToken: ACCESS_3 });
    read.resolve({ accessToken: ACCESS_1 });
    await session.ready;

    expect(session.getTokens()).toEqual({ accessToken: ACCESS_3 });
  });
});
