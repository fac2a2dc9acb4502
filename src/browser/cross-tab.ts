import type { TokenSet } from '../types.js';

/**
 * Coordination of one session across the tabs of an origin that share a store:
 *
 * - the Web Locks API serialises refreshes, so one tab refreshes while the others wait;
 * - before the lock passes on, the refreshing tab writes a hand-off record (the new tokens and
 *   when) to IndexedDB, whose transactions every tab sees in order. Web storage is not enough
 *   here: Chromium copies a localStorage write to other tabs asynchronously, so the next tab to
 *   take the lock could still read the old tokens and spend a single-use refresh token twice;
 * - a BroadcastChannel tells the other tabs that the tokens changed or that the user logged out.
 *   Messages carry no token: a tab that hears one reads the hand-off record.
 *
 * Without Web Locks, refreshes are single-flight per tab only; without IndexedDB, the store is
 * read instead; without BroadcastChannel, tabs learn of new tokens when their old one is refused.
 */

export type CrossTabMessage = 'tokens' | 'logout';

/** What the last refresh, login or logout in any tab left: `tokens: null` after a logout. */
export interface HandOff {
  tokens: TokenSet | null;
  /** When it was written (epoch ms). */
  at: number;
  /** The access token it replaced, if a refresh wrote it. */
  replaced?: string | undefined;
}

export interface Coordinator {
  /** Whether other tabs share the session. */
  readonly shared: boolean;
  /** Whether `latest()` reads a record every tab sees in order (IndexedDB is there). */
  readonly consistent: boolean;
  /** Runs `task` while holding the refresh lock of every tab (or directly, without one). */
  exclusive<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T>;
  /** Tells the other tabs. */
  publish(message: CrossTabMessage): void;
  /** The latest hand-off record; `undefined` when there is none or no IndexedDB. */
  latest(): Promise<HandOff | undefined>;
  /** Writes the hand-off record; resolves once the write is visible to every tab. */
  record(handOff: HandOff): Promise<void>;
}

export const localCoordinator: Coordinator = {
  shared: false,
  consistent: false,
  exclusive: (_signal, task) => task(),
  publish: () => undefined,
  latest: () => Promise.resolve(undefined),
  record: () => Promise.resolve(),
};

interface LockManagerLike {
  request<T>(name: string, options: { signal: AbortSignal }, task: () => Promise<T>): Promise<T>;
}

interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const RECORD_STORE = 'hand-off';

/** One record in IndexedDB database `name`; every call fails soft (returns `undefined`). */
function handOffDatabase(name: string) {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  let database: Promise<IDBDatabase> | undefined;
  const open = () =>
    (database ??= new Promise((resolve, reject) => {
      const request = factory!.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(RECORD_STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));
  const transact = (mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest) =>
    open().then(
      (db) =>
        new Promise<unknown>((resolve, reject) => {
          const transaction = db.transaction(RECORD_STORE, mode);
          const request = action(transaction.objectStore(RECORD_STORE));
          transaction.oncomplete = () => resolve(request.result);
          transaction.onerror = transaction.onabort = () => reject(transaction.error);
        }),
    );
  return {
    available: factory !== undefined,
    read: (): Promise<HandOff | undefined> =>
      factory
        ? transact('readonly', (store) => store.get('latest')).then(
            (value) => value as HandOff | undefined,
            () => undefined,
          )
        : Promise.resolve(undefined),
    write: (handOff: HandOff): Promise<void> =>
      factory
        ? transact('readwrite', (store) => store.put(handOff, 'latest')).then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve(),
  };
}

export function createCrossTabCoordinator(
  name: string,
  onMessage: (message: CrossTabMessage) => void,
): Coordinator {
  const runtime = globalThis as {
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: new (name: string) => BroadcastChannelLike;
  };
  const locks = runtime.navigator?.locks;
  const channel = runtime.BroadcastChannel ? new runtime.BroadcastChannel(name) : undefined;
  channel?.addEventListener('message', ({ data }) => {
    if (data === 'tokens' || data === 'logout') onMessage(data);
  });
  const handOffs = handOffDatabase(name);
  return {
    shared: true,
    consistent: handOffs.available,
    exclusive: (signal, task) => (locks ? locks.request(name, { signal }, task) : task()),
    publish: (message) => channel?.postMessage(message),
    latest: handOffs.read,
    record: handOffs.write,
  };
}
