/**
 * webStorageStore: tokens as JSON under one key of localStorage/sessionStorage (here a fake
 * Storage), corrupt content read as no tokens, and storage failures reported, never fatal.
 */
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  webStorageStore,
  type StorageLike,
  type StoreErrorEvent,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  REFRESH_1,
  REFRESH_2,
  acceptOnly,
  mockedInstance,
  recordEvents,
  serialise,
} from './support.js';

const DEFAULT_KEY = 'axios-bearer-refresh';

/**
 * Errors named as browsers name them. (Node's own DOMException comes from another realm than
 * jest's sandbox, where `instanceof Error` is false, so the test makes its own.)
 */
function domError(message: string, name: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** An in-memory Storage that can be told to fail like a full or disabled one. */
class FakeStorage implements StorageLike {
  readonly items = new Map<string, string>();
  failWrites = false;
  failReads = false;
  calls: string[] = [];

  getItem(key: string): string | null {
    this.calls.push(`getItem ${key}`);
    if (this.failReads) throw domError('The operation is insecure.', 'SecurityError');
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.calls.push(`setItem ${key}`);
    if (this.failWrites) {
      throw domError(`Quota exceeded writing ${value}`, 'QuotaExceededError');
    }
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.calls.push(`removeItem ${key}`);
    if (this.failWrites) throw domError('Quota exceeded', 'QuotaExceededError');
    this.items.delete(key);
  }
}

function describeStoreError(event: unknown) {
  const { operation, error } = event as StoreErrorEvent;
  expect(error).toBeInstanceOf(Error);
  return { operation, name: error.name };
}

describe('webStorageStore', () => {
  it('keeps the token set as JSON under "axios-bearer-refresh" by default', async () => {
    const storage = new FakeStorage();
    const session = createAuthSession({ refresh: jest.fn(), store: webStorageStore({ storage }) });
    await session.setTokens({ accessToken: ACCESS_1, refreshToken: REFRESH_1, expiresAt: 1234 });

    expect(JSON.parse(storage.items.get(DEFAULT_KEY)!)).toEqual({
      accessToken: ACCESS_1,
      refreshToken: REFRESH_1,
      expiresAt: 1234,
    });
    expect([...storage.items.keys()]).toEqual([DEFAULT_KEY]);
  });

  it('reads the tokens back in a new session, as after a page reload', async () => {
    const storage = new FakeStorage();
    const first = createAuthSession({ refresh: jest.fn(), store: webStorageStore({ storage }) });
    await first.setTokens({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });

    const second = createAuthSession({ refresh: jest.fn(), store: webStorageStore({ storage }) });
    await second.ready;
    expect(second.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
  });

  it('uses the given key, so two sessions on one storage stay apart', async () => {
    const storage = new FakeStorage();
    const alice = createAuthSession({
      refresh: jest.fn(),
      store: webStorageStore({ storage, key: 'alice' }),
    });
    const bob = createAuthSession({
      refresh: jest.fn(),
      store: webStorageStore({ storage, key: 'bob' }),
    });
    await alice.setTokens({ accessToken: ACCESS_1 });
    await bob.setTokens({ accessToken: ACCESS_2 });
    await alice.clear();

    expect(storage.items.has('alice')).toBe(false);
    expect(JSON.parse(storage.items.get('bob')!)).toEqual({ accessToken: ACCESS_2 });
  });

  it('writes the refreshed tokens and removes the key on clear()', async () => {
    const storage = new FakeStorage();
    const session = createAuthSession({
      refresh: async () => ({ accessToken: ACCESS_2, refreshToken: REFRESH_2 }),
      tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
      store: webStorageStore({ storage }),
    });
    await session.refresh();
    expect(JSON.parse(storage.items.get(DEFAULT_KEY)!)).toEqual({
      accessToken: ACCESS_2,
      refreshToken: REFRESH_2,
    });

    await session.clear();
    expect(storage.items.has(DEFAULT_KEY)).toBe(false);
  });

  const corrupt: Array<[string, string]> = [
    ['text that is not JSON', 'not json at all'],
    ['truncated JSON', '{"accessToken":"AT1'],
    ['an empty string', ''],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['a JSON string', `"${ACCESS_1}"`],
    ['a JSON array', `["${ACCESS_1}"]`],
    ['an empty object', '{}'],
    ['an empty accessToken', '{"accessToken":""}'],
    ['a numeric accessToken', '{"accessToken":42}'],
    ['a non-numeric expiresAt', `{"accessToken":"${ACCESS_1}","expiresAt":"soon"}`],
    ['a numeric refreshToken', `{"accessToken":"${ACCESS_1}","refreshToken":5}`],
  ];

  it.each(corrupt)('reads %s as no tokens, without throwing', (_what, content) => {
    const storage = new FakeStorage();
    storage.items.set(DEFAULT_KEY, content);
    expect(webStorageStore({ storage }).get()).toBeNull();
  });

  it.each([
    ...corrupt,
    ['an access token with a line break', `{"accessToken":"AT1\\r\\nX-Evil: 1"}`],
    ['an access token with a space', `{"accessToken":"AT1 AT2"}`],
  ])(
    'lets a request fail with SessionEndedError, not crash, when storage holds %s',
    async (_what, content) => {
      const storage = new FakeStorage();
      storage.items.set(DEFAULT_KEY, content);
      const { callbacks, events } = recordEvents();
      const session = createAuthSession({
        refresh: jest.fn(),
        store: webStorageStore({ storage }),
        ...callbacks,
      });
      const { instance, mock } = mockedInstance();
      attachBearerAuth(instance, session);
      const sent = acceptOnly(mock, () => []);

      const failure = await instance.get('/me').catch((error: unknown) => error);

      expect(isSessionEndedError(failure)).toBe(true);
      expect(failure).toMatchObject({ reason: 'no-tokens' });
      expect(sent).toEqual([]);
      expect(session.getTokens()).toBeNull();
      expect(events).toEqual([]);
    },
  );

  it('asks for a first token instead, with refreshWhenEmpty, when storage is corrupt', async () => {
    const storage = new FakeStorage();
    storage.items.set(DEFAULT_KEY, '{oops');
    const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
    const session = createAuthSession({
      refresh,
      refreshWhenEmpty: true,
      store: webStorageStore({ storage }),
    });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session);
    const sent = acceptOnly(mock, () => [ACCESS_2]);

    await expect(instance.get('/me')).resolves.toMatchObject({ status: 200 });
    expect(refresh).toHaveBeenCalledWith(null, expect.objectContaining({ trigger: 'empty' }));
    expect(sent).toEqual([ACCESS_2]);
    expect(JSON.parse(storage.items.get(DEFAULT_KEY)!)).toEqual({ accessToken: ACCESS_2 });
  });

  it('keeps only the token fields of what it reads, and takes null fields as absent', () => {
    const storage = new FakeStorage();
    storage.items.set(
      DEFAULT_KEY,
      `{"accessToken":"${ACCESS_1}","refreshToken":null,"expiresAt":null,"role":"admin"}`,
    );
    expect(webStorageStore({ storage }).get()).toEqual({ accessToken: ACCESS_1 });
  });

  it('keeps working from memory when the quota is full: onStoreError, not onRefreshFailed', async () => {
    const storage = new FakeStorage();
    storage.failWrites = true;
    const { callbacks, ofType } = recordEvents();
    const session = createAuthSession({
      refresh: async () => ({ accessToken: ACCESS_2, refreshToken: REFRESH_2 }),
      store: webStorageStore({ storage }),
      ...callbacks,
    });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session);
    const sent = acceptOnly(mock, () => [ACCESS_2]);

    await expect(
      session.setTokens({ accessToken: ACCESS_1, refreshToken: REFRESH_1 }),
    ).resolves.toBeUndefined();
    await expect(instance.get('/me')).resolves.toMatchObject({ data: { token: ACCESS_2 } });

    expect(sent).toEqual([ACCESS_1, ACCESS_2]);
    expect(session.getTokens()).toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
    expect(ofType('refreshFailed')).toEqual([]);
    expect(ofType('tokenRefreshed')).toHaveLength(1);
    expect(ofType('storeError').map(({ event }) => describeStoreError(event))).toEqual([
      { operation: 'set', name: 'QuotaExceededError' },
      { operation: 'set', name: 'QuotaExceededError' },
    ]);
    // The storage's message held the JSON it tried to write; the event must not.
    const printed = serialise(ofType('storeError'));
    for (const secret of [ACCESS_1, ACCESS_2, REFRESH_1, REFRESH_2]) {
      expect(printed).not.toContain(secret);
    }
  });

  it('reports a storage that refuses to be read through onStoreError and starts without tokens', async () => {
    const storage = new FakeStorage();
    storage.failReads = true;
    const { callbacks, ofType } = recordEvents();
    const session = createAuthSession({
      refresh: jest.fn(),
      store: webStorageStore({ storage }),
      ...callbacks,
    });
    await session.ready;

    expect(session.getTokens()).toBeNull();
    expect(ofType('storeError').map(({ event }) => describeStoreError(event))).toEqual([
      { operation: 'get', name: 'SecurityError' },
    ]);
  });

  describe('options', () => {
    afterEach(() => {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    });

    it('uses globalThis.localStorage when no storage is given', async () => {
      const storage = new FakeStorage();
      (globalThis as { localStorage?: unknown }).localStorage = storage;
      const store = webStorageStore();
      await store.set({ accessToken: ACCESS_1 });

      expect(storage.calls).toEqual([`setItem ${DEFAULT_KEY}`]);
      expect(store.get()).toEqual({ accessToken: ACCESS_1 });
    });

    it('throws a TypeError naming localStorage where there is none and none is given', () => {
      expect('localStorage' in globalThis).toBe(false);
      expect(() => webStorageStore()).toThrow(TypeError);
      expect(() => webStorageStore({})).toThrow(/localStorage/);
    });

    it('throws a TypeError when reading localStorage itself throws (storage disabled)', () => {
      Object.defineProperty(globalThis, 'localStorage', {
        configurable: true,
        get() {
          throw domError('The operation is insecure.', 'SecurityError');
        },
      });
      expect(() => webStorageStore()).toThrow(/localStorage/);
    });

    it.each<[string, object]>([
      ['a storage without removeItem', { storage: { getItem: () => null, setItem: () => {} } }],
      ['a storage without setItem', { storage: { getItem: () => null, removeItem: () => {} } }],
      ['a storage that is a string', { storage: 'localStorage' }],
      ['an empty key', { key: '' }],
      ['a numeric key', { key: 7 }],
    ])('rejects %s with a TypeError', (_what, options) => {
      const storage = new FakeStorage();
      expect(() => webStorageStore({ storage, ...options })).toThrow(TypeError);
    });
  });
});
