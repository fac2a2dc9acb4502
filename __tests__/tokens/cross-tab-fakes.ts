/**
 * In-process stand-ins for the browser APIs cross-tab coordination uses (Web Locks,
 * BroadcastChannel, IndexedDB), so that two sessions in one Node process behave like two tabs of
 * one origin. The Chromium suites in __tests__/browser/ run the real APIs; these let the unit
 * tests (and mutation testing, which cannot drive a browser) check the same rules quickly.
 * Every callback is delivered on a later macrotask, as the browser does.
 */

const later = (callback: () => void) => setImmediate(callback);

/** A Web Locks manager: one holder per name, FIFO, a waiting request leaves on abort. */
export class FakeLocks {
  readonly requested: string[] = [];
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly held = new Set<string>();

  request<T>(name: string, options: { signal: AbortSignal }, task: () => Promise<T>): Promise<T> {
    this.requested.push(name);
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      if (signal.aborted) return reject(signal.reason);
      const start = () => {
        signal.removeEventListener('abort', onAbort);
        this.held.add(name);
        task()
          .then(resolve, reject)
          .finally(() => this.release(name));
      };
      const onAbort = () => {
        const queue = this.queues.get(name) ?? [];
        this.queues.set(
          name,
          queue.filter((entry) => entry !== start),
        );
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort);
      if (this.held.has(name)) {
        this.queues.set(name, [...(this.queues.get(name) ?? []), start]);
      } else {
        start();
      }
    });
  }

  private release(name: string) {
    this.held.delete(name);
    const next = this.queues.get(name)?.shift();
    if (next) later(next);
  }
}

/** BroadcastChannel: a message reaches every other channel of the same name, not the sender. */
export class FakeChannelBus {
  readonly posted: Array<{ name: string; message: unknown }> = [];
  private readonly channels: ChannelEntry[] = [];

  /** The constructor to put on globalThis.BroadcastChannel. */
  get Channel() {
    const open = (name: string) => {
      const entry: ChannelEntry = { name, listeners: [] };
      this.channels.push(entry);
      return entry;
    };
    const post = (from: ChannelEntry, message: unknown) => {
      this.posted.push({ name: from.name, message });
      this.send(from.name, message, from);
    };
    return class FakeBroadcastChannel {
      private readonly entry: ChannelEntry;
      constructor(name: string) {
        this.entry = open(name);
      }
      addEventListener(_type: 'message', listener: (event: { data: unknown }) => void) {
        this.entry.listeners.push(listener);
      }
      postMessage(message: unknown) {
        post(this.entry, message);
      }
    };
  }

  /** Sends `message` to every channel named `name`, as another tab's script could. */
  deliver(name: string, message: unknown) {
    this.send(name, message);
  }

  private send(name: string, message: unknown, except?: ChannelEntry) {
    for (const channel of this.channels) {
      if (channel === except || channel.name !== name) continue;
      for (const listener of channel.listeners) later(() => listener({ data: message }));
    }
  }
}

interface ChannelEntry {
  name: string;
  listeners: Array<(event: { data: unknown }) => void>;
}

interface FakeRequest {
  result?: unknown;
  error?: unknown;
  onsuccess?: () => void;
  onerror?: () => void;
  onupgradeneeded?: () => void;
}

/** IndexedDB, just the part the hand-off record needs: databases of object stores of values. */
export class FakeIndexedDB {
  readonly databases = new Map<string, Map<string, Map<unknown, unknown>>>();
  /** When set, every transaction fails, as with a full disk or a blocked database. */
  failing = false;
  /** When set, opening a database fails, as where the user or the browser refuses storage. */
  unopenable = false;

  open(name: string, _version: number): FakeRequest {
    const request: FakeRequest = {};
    later(() => {
      if (this.unopenable) {
        request.error = new Error('UnknownError: cannot open the database');
        request.onerror?.();
        return;
      }
      const isNew = !this.databases.has(name);
      const stores = this.databases.get(name) ?? new Map<string, Map<unknown, unknown>>();
      this.databases.set(name, stores);
      request.result = this.database(stores);
      if (isNew) request.onupgradeneeded?.();
      request.onsuccess?.();
    });
    return request;
  }

  private database(stores: Map<string, Map<unknown, unknown>>) {
    return {
      createObjectStore: (storeName: string) => {
        stores.set(storeName, new Map());
      },
      transaction: (storeName: string, _mode: string) => {
        const store = stores.get(storeName);
        if (!store) throw new Error(`NotFoundError: no object store ${storeName}`);
        const transaction: {
          error: unknown;
          oncomplete?: () => void;
          onerror?: () => void;
          onabort?: () => void;
          objectStore: (name: string) => unknown;
        } = {
          error: null,
          objectStore: () => ({
            get: (key: unknown) => ({ result: structuredClone(store.get(key)) }),
            put: (value: unknown, key: unknown) => {
              if (!this.failing) store.set(key, structuredClone(value));
              return { result: key };
            },
          }),
        };
        later(() => {
          if (this.failing) {
            transaction.error = new Error('QuotaExceededError');
            transaction.onerror?.();
          } else {
            transaction.oncomplete?.();
          }
        });
        return transaction;
      },
    };
  }
}

/** A Storage shared by the "tabs", as localStorage is. */
export function sharedStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/**
 * Puts the fakes on globalThis (only those asked for) and returns a function that restores it.
 */
export function installBrowserFakes(
  parts: { locks?: FakeLocks; channels?: FakeChannelBus; indexedDB?: FakeIndexedDB } = {},
) {
  const runtime = globalThis as Record<string, unknown>;
  const saved = ['navigator', 'BroadcastChannel', 'indexedDB'].map(
    (key) => [key, Object.getOwnPropertyDescriptor(runtime, key)] as const,
  );
  const define = (key: string, value: unknown) =>
    Object.defineProperty(runtime, key, { value, configurable: true, writable: true });
  define('navigator', parts.locks ? { locks: parts.locks } : undefined);
  define('BroadcastChannel', parts.channels?.Channel);
  define('indexedDB', parts.indexedDB);
  return () => {
    for (const [key, descriptor] of saved) {
      if (descriptor) Object.defineProperty(runtime, key, descriptor);
      else delete runtime[key];
    }
  };
}
