import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  webStorageStore,
  type AuthSessionOptions,
  type RefreshFunction,
  type TokenSet,
  type TokenStore,
} from '../../src/index.js';
import {
  FakeChannelBus,
  FakeIndexedDB,
  FakeLocks,
  installBrowserFakes,
  sharedStorage,
} from './cross-tab-fakes.js';
import {
  acceptOnly,
  ACCESS_1,
  ACCESS_2,
  ACCESS_3,
  deferred,
  flush,
  mockedInstance,
  recordEvents,
  REFRESH_1,
  REFRESH_2,
  T0,
  useFakeDate,
} from './support.js';

const ACCESS_4 = 'AT4wQe5Rt1Yu7Io3Pa9Sd';

/** Two or more "tabs": sessions in one process that share a storage and the faked browser APIs. */
function browser(withIndexedDB: boolean) {
  const locks = new FakeLocks();
  const channels = new FakeChannelBus();
  const indexedDB = withIndexedDB ? new FakeIndexedDB() : undefined;
  const restore = installBrowserFakes({ locks, channels, ...(indexedDB ? { indexedDB } : {}) });
  const storage = sharedStorage();
  storage.setItem(
    'axios-bearer-refresh',
    JSON.stringify({ accessToken: ACCESS_1, refreshToken: REFRESH_1 }),
  );
  let accepted: string[] = [ACCESS_1];

  function openTab(
    refresh: RefreshFunction = jest.fn(async () => {
      throw new Error('this tab should not refresh');
    }),
    options: Partial<AuthSessionOptions> = {},
  ) {
    const { instance, mock } = mockedInstance();
    const events = recordEvents();
    const refreshFn = jest.fn(refresh);
    const { session } = attachBearerAuth(instance, {
      refresh: refreshFn,
      store: webStorageStore({ storage }),
      crossTab: true,
      ...events.callbacks,
      ...options,
    });
    const sent = acceptOnly(mock, () => accepted);
    return { instance, session, refresh: refreshFn, sent, events };
  }

  return {
    locks,
    channels,
    indexedDB,
    storage,
    restore,
    openTab,
    accept(tokens: string[]) {
      accepted = tokens;
    },
  };
}

afterEach(() => {
  jest.useRealTimers();
});

describe.each([
  ['with IndexedDB (the hand-off record)', true],
  ['without IndexedDB (the shared store)', false],
])('tabs of one origin, %s', (_title, withIndexedDB) => {
  let b: ReturnType<typeof browser>;
  beforeEach(() => {
    useFakeDate(T0);
    b = browser(withIndexedDB);
  });
  afterEach(() => b.restore());

  it('refresh once for a refusal in every tab: the other tab adopts the new tokens', async () => {
    const gate = deferred<{ accessToken: string; refreshToken: string }>();
    const tabA = b.openTab(() => gate.promise);
    const tabB = b.openTab();
    await Promise.all([tabA.session.ready, tabB.session.ready]);
    b.accept([ACCESS_2]);
    jest.setSystemTime(T0 + 1000);

    const inA = tabA.instance.get('/a');
    await flush();
    const inB = tabB.instance.get('/b');
    await flush();
    expect(tabA.refresh).toHaveBeenCalledTimes(1);
    expect(tabB.refresh).not.toHaveBeenCalled();

    jest.setSystemTime(T0 + 2000);
    gate.resolve({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
    await expect(inA).resolves.toMatchObject({ status: 200 });
    await expect(inB).resolves.toMatchObject({ status: 200 });

    expect(tabA.sent).toEqual([ACCESS_1, ACCESS_2]);
    expect(tabB.sent).toEqual([ACCESS_1, ACCESS_2]);
    expect(tabB.refresh).not.toHaveBeenCalled();
    expect(tabB.events.ofType('tokenRefreshed')).toHaveLength(0);
    expect(tabA.events.ofType('tokenRefreshed')).toHaveLength(1);
    expect(tabB.session.getTokens()).toMatchObject({
      accessToken: ACCESS_2,
      refreshToken: REFRESH_2,
    });
    expect(b.locks.requested).toEqual(['axios-bearer-refresh', 'axios-bearer-refresh']);
    expect(JSON.parse(b.storage.getItem('axios-bearer-refresh')!)).toMatchObject({
      accessToken: ACCESS_2,
      refreshToken: REFRESH_2,
    });
  });

  it('a login in one tab reaches the others, which send its token from then on', async () => {
    const tabA = b.openTab();
    const tabB = b.openTab();
    await Promise.all([tabA.session.ready, tabB.session.ready]);
    b.accept([ACCESS_3]);

    jest.setSystemTime(T0 + 1000);
    await tabA.session.setTokens({ accessToken: ACCESS_3, refreshToken: REFRESH_2 });
    await flush();

    expect(tabB.session.getTokens()).toEqual({ accessToken: ACCESS_3, refreshToken: REFRESH_2 });
    await expect(tabB.instance.get('/b')).resolves.toMatchObject({ status: 200 });
    expect(tabB.sent).toEqual([ACCESS_3]);
    expect(tabB.refresh).not.toHaveBeenCalled();
  });

  it('a logout in one tab ends the session in the others, once, with reason logout', async () => {
    const tabA = b.openTab();
    const tabB = b.openTab();
    await Promise.all([tabA.session.ready, tabB.session.ready]);

    jest.setSystemTime(T0 + 1000);
    await tabA.session.clear();
    await flush();

    expect(tabB.session.getTokens()).toBeNull();
    expect(tabB.events.ofType('sessionEnded')).toEqual([
      { type: 'sessionEnded', event: expect.objectContaining({ reason: 'logout' }) },
    ]);
    const outcome = await tabB.instance.get('/b').catch((error: unknown) => error);
    expect(isSessionEndedError(outcome)).toBe(true);
    expect(outcome).toMatchObject({ reason: 'logout' });
    expect(tabB.sent).toEqual([]);
    expect(b.storage.getItem('axios-bearer-refresh')).toBeNull();
    // Tab B took the logout in; it does not announce it a second time.
    expect(b.channels.posted).toEqual([{ name: 'axios-bearer-refresh', message: 'logout' }]);
  });

  it('a tab waiting for the lock adopts a refresh another tab made in the same millisecond', async () => {
    const gate = deferred<{ accessToken: string; refreshToken: string }>();
    const tabA = b.openTab(() => gate.promise);
    const tabB = b.openTab();
    await Promise.all([tabA.session.ready, tabB.session.ready]);
    b.accept([ACCESS_2]);

    const inA = tabA.instance.get('/a');
    await flush();
    const inB = tabB.instance.get('/b');
    await flush();
    gate.resolve({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });

    await expect(inA).resolves.toMatchObject({ status: 200 });
    await expect(inB).resolves.toMatchObject({ status: 200 });
    expect(tabB.sent).toEqual([ACCESS_1, ACCESS_2]);
    expect(tabB.refresh).not.toHaveBeenCalled();
  });

  it('with refreshWhenEmpty and nothing stored, a tab gets its first token from refresh(null)', async () => {
    b.storage.removeItem('axios-bearer-refresh');
    const tab = b.openTab(async () => ({ accessToken: ACCESS_2 }), { refreshWhenEmpty: true });
    await tab.session.ready;
    b.accept([ACCESS_2]);

    await expect(tab.instance.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(tab.refresh).toHaveBeenCalledWith(null, expect.objectContaining({ trigger: 'empty' }));
    expect(tab.sent).toEqual([ACCESS_2]);
  });

  it('tells the other tabs only that something changed: no token in any message', async () => {
    const gate = deferred<{ accessToken: string }>();
    const tabA = b.openTab(() => gate.promise);
    await tabA.session.ready;
    b.accept([ACCESS_2]);
    jest.setSystemTime(T0 + 1000);

    const request = tabA.instance.get('/a');
    await flush();
    gate.resolve({ accessToken: ACCESS_2 });
    await request;
    await tabA.session.clear();

    expect(b.channels.posted).toEqual([
      { name: 'axios-bearer-refresh', message: 'tokens' },
      { name: 'axios-bearer-refresh', message: 'logout' },
    ]);
  });
});

describe('tabs with IndexedDB', () => {
  let b: ReturnType<typeof browser>;
  beforeEach(() => {
    useFakeDate(T0);
    b = browser(true);
  });
  afterEach(() => b.restore());

  it('keep the hand-off record in a database named after the session', async () => {
    const gate = deferred<{ accessToken: string }>();
    const tab = b.openTab(() => gate.promise);
    await tab.session.ready;
    b.accept([ACCESS_2]);
    jest.setSystemTime(T0 + 1000);

    const request = tab.instance.get('/a');
    await flush();
    gate.resolve({ accessToken: ACCESS_2 });
    await request;

    const stores = b.indexedDB!.databases.get('axios-bearer-refresh');
    const record = [...stores!.values()][0]!.get('latest') as Record<string, unknown>;
    expect(record).toMatchObject({
      tokens: { accessToken: ACCESS_2, refreshToken: REFRESH_1 },
      at: T0 + 1000,
    });
    expect(typeof record['replaced']).toBe('string');
    expect(JSON.stringify(record)).not.toContain(ACCESS_1);
  });

  it.each([
    ['older than', 5000],
    ['as old as', 1000],
  ])('a tab that hears of new tokens ignores a record %s its own tokens', async (_when, opened) => {
    const tabA = b.openTab();
    await tabA.session.ready;
    jest.setSystemTime(T0 + 1000);
    await tabA.session.setTokens({ accessToken: ACCESS_2 });
    await flush();

    // Created with tokens of its own (a login in that tab), which leave no record.
    jest.setSystemTime(T0 + opened);
    const tabB = b.openTab(undefined, { tokens: { accessToken: ACCESS_3 } });
    b.channels.deliver('axios-bearer-refresh', 'tokens');
    await flush();

    expect(tabB.session.getTokens()).toEqual({ accessToken: ACCESS_3 });
  });

  it('a tab refreshes its own newer tokens rather than adopting an older record', async () => {
    const tabA = b.openTab();
    await tabA.session.ready;
    jest.setSystemTime(T0 + 1000);
    await tabA.session.setTokens({ accessToken: ACCESS_2 });
    await flush();

    jest.setSystemTime(T0 + 5000);
    const tabB = b.openTab(async () => ({ accessToken: ACCESS_4 }), {
      tokens: { accessToken: ACCESS_3 },
    });
    b.accept([ACCESS_4]);

    await expect(tabB.instance.get('/b')).resolves.toMatchObject({ status: 200 });
    expect(tabB.refresh).toHaveBeenCalledTimes(1);
    expect(tabB.sent).toEqual([ACCESS_3, ACCESS_4]);
  });

  it('a tab that opened logged out adopts a login another tab makes in the same millisecond', async () => {
    b.storage.removeItem('axios-bearer-refresh');
    const tabA = b.openTab();
    const tabB = b.openTab();
    await Promise.all([tabA.session.ready, tabB.session.ready]);

    await tabA.session.setTokens({ accessToken: ACCESS_3 });
    await flush();

    expect(tabB.session.getTokens()).toEqual({ accessToken: ACCESS_3 });
  });

  it('a tab ignores a hand-off record without a time (not one this library wrote)', async () => {
    const record = { tokens: { accessToken: ACCESS_3 } };
    b.indexedDB!.databases.set(
      'axios-bearer-refresh',
      new Map([['hand-off', new Map<unknown, unknown>([['latest', record]])]]),
    );
    const tab = b.openTab();
    await tab.session.ready;

    b.channels.deliver('axios-bearer-refresh', 'tokens');
    await flush();

    expect(tab.session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
  });

  it('trust the hand-off record, not a store another script changed behind their back', async () => {
    const tab = b.openTab();
    await tab.session.ready;
    // Web storage seen from another process may be stale; the record is what tabs agree on.
    b.storage.setItem('axios-bearer-refresh', JSON.stringify({ accessToken: ACCESS_3 }));
    jest.setSystemTime(T0 + 1000);

    b.channels.deliver('axios-bearer-refresh', 'tokens');
    await flush();

    expect(tab.session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
  });

  it('a database that cannot be opened does not hold up the refresh or the requests', async () => {
    b.indexedDB!.unopenable = true;
    const tab = b.openTab(async () => ({ accessToken: ACCESS_2 }), { refreshTimeout: 2_000 });
    await tab.session.ready;
    b.accept([ACCESS_2]);
    jest.setSystemTime(T0 + 1000);

    await expect(tab.instance.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(tab.sent).toEqual([ACCESS_1, ACCESS_2]);
  });

  it('a failing database does not fail the refresh or the requests', async () => {
    b.indexedDB!.failing = true;
    const tab = b.openTab(async () => ({ accessToken: ACCESS_2 }));
    await tab.session.ready;
    b.accept([ACCESS_2]);
    jest.setSystemTime(T0 + 1000);

    await expect(tab.instance.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(tab.sent).toEqual([ACCESS_1, ACCESS_2]);
  });
});

describe('tabs without IndexedDB', () => {
  let b: ReturnType<typeof browser>;
  beforeEach(() => {
    useFakeDate(T0);
    b = browser(false);
  });
  afterEach(() => b.restore());

  it('read the store on a message of ours only', async () => {
    const tab = b.openTab();
    await tab.session.ready;
    // Another script writes the key without telling anyone.
    b.storage.setItem('axios-bearer-refresh', JSON.stringify({ accessToken: ACCESS_3 }));
    jest.setSystemTime(T0 + 1000);

    b.channels.deliver('axios-bearer-refresh', 'refresh');
    b.channels.deliver('axios-bearer-refresh', { type: 'tokens' });
    await flush();
    expect(tab.session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });

    b.channels.deliver('axios-bearer-refresh', 'tokens');
    await flush();
    expect(tab.session.getTokens()).toEqual({ accessToken: ACCESS_3 });
  });

  it('end the session, without refreshing, when a refusal finds the shared store emptied', async () => {
    const tab = b.openTab();
    await tab.session.ready;
    // Another tab logged out, and its message never arrived.
    b.storage.removeItem('axios-bearer-refresh');
    b.accept([ACCESS_2]);

    const outcome = await tab.instance.get('/a').catch((error: unknown) => error);

    expect(isSessionEndedError(outcome)).toBe(true);
    expect(outcome).toMatchObject({ reason: 'logout' });
    expect(tab.refresh).not.toHaveBeenCalled();
    expect(tab.events.ofType('sessionEnded')).toEqual([
      { type: 'sessionEnded', event: expect.objectContaining({ reason: 'logout' }) },
    ]);
    expect(b.channels.posted).toEqual([]);
  });

  /** A shared store whose first read answers at once and every later one when the test says. */
  function storeReadingLater() {
    const read = deferred<TokenSet>();
    let reads = 0;
    const store: TokenStore = {
      get: () => (++reads === 1 ? { accessToken: ACCESS_1 } : read.promise),
      set: () => {},
      clear: () => {},
    };
    return { store, read, reads: () => reads };
  }

  it('keep a logout made while a refresh reads the store, whatever the read returns', async () => {
    const shared = storeReadingLater();
    const tab = b.openTab(undefined, { store: shared.store });
    await tab.session.ready;
    b.accept([ACCESS_2]);

    const request = tab.instance.get('/a').catch((error: unknown) => error);
    await flush();
    expect(shared.reads()).toBe(2);
    await tab.session.clear();
    shared.read.resolve({ accessToken: ACCESS_2 });

    expect(await request).toMatchObject({ name: 'SessionEndedError', reason: 'logout' });
    expect(tab.session.getTokens()).toBeNull();
    expect(tab.sent).toEqual([ACCESS_1]);
  });

  it('keep a login made while a message makes them read the store, whatever the read returns', async () => {
    const shared = storeReadingLater();
    const tab = b.openTab(undefined, { store: shared.store });
    await tab.session.ready;

    b.channels.deliver('axios-bearer-refresh', 'tokens');
    await flush();
    expect(shared.reads()).toBe(2);
    await tab.session.setTokens({ accessToken: ACCESS_3 });
    shared.read.resolve({ accessToken: ACCESS_2 });
    await flush();

    expect(tab.session.getTokens()).toEqual({ accessToken: ACCESS_3 });
  });
});

describe('the crossTab option', () => {
  let b: ReturnType<typeof browser>;
  beforeEach(() => {
    useFakeDate(T0);
    b = browser(true);
  });
  afterEach(() => b.restore());

  it('names the lock, the channel and the database with { name }', async () => {
    const tab = b.openTab(async () => ({ accessToken: ACCESS_2 }), {
      crossTab: { name: 'billing-session' },
    });
    await tab.session.ready;
    b.accept([ACCESS_2]);
    jest.setSystemTime(T0 + 1000);

    await tab.instance.get('/a');

    expect(b.locks.requested).toEqual(['billing-session']);
    expect(b.channels.posted).toEqual([{ name: 'billing-session', message: 'tokens' }]);
    expect([...b.indexedDB!.databases.keys()]).toEqual(['billing-session']);
  });

  it('keeps sessions of different names apart', async () => {
    const tabA = b.openTab(undefined, { crossTab: { name: 'one' } });
    const tabB = b.openTab(undefined, { crossTab: { name: 'two' } });
    await Promise.all([tabA.session.ready, tabB.session.ready]);
    jest.setSystemTime(T0 + 1000);

    await tabA.session.clear();
    await flush();

    expect(tabB.session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
    expect(tabB.events.ofType('sessionEnded')).toHaveLength(0);
  });

  it('needs a shared store', () => {
    expect(() =>
      createAuthSession({ refresh: async () => ({ accessToken: ACCESS_2 }), crossTab: true }),
    ).toThrow(
      new TypeError(
        'createAuthSession: `crossTab` needs a shared `store`, e.g. webStorageStore().',
      ),
    );
  });
});
