import type { TokenSet, TokenStore } from '../types.js';

/** The part of the Web Storage API the store uses: `localStorage` and `sessionStorage` fit. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options for {@link webStorageStore}. */
export interface WebStorageStoreOptions {
  /**
   * Where the tokens are kept. Pass `sessionStorage` to keep them for one tab only, or any object
   * with `getItem`, `setItem` and `removeItem`. Default: `globalThis.localStorage`.
   */
  storage?: StorageLike | undefined;
  /**
   * The key the token set is stored under, as JSON. Give each session its own key when one page
   * holds several. Default: `'axios-bearer-refresh'`.
   */
  key?: string | undefined;
}

const DEFAULT_KEY = 'axios-bearer-refresh';

function isStorageLike(value: unknown): value is StorageLike {
  const storage = value as Partial<Record<keyof StorageLike, unknown>> | null | undefined;
  return (
    typeof storage?.getItem === 'function' &&
    typeof storage.setItem === 'function' &&
    typeof storage.removeItem === 'function'
  );
}

function defaultStorage(): unknown {
  try {
    return (globalThis as { localStorage?: unknown }).localStorage;
  } catch {
    // Some browsers throw a SecurityError on access when storage is disabled.
    return undefined;
  }
}

/** The token set in `text`, or `null` for anything that is not one (corrupt, foreign, empty). */
function parseTokenSet(text: string | null): TokenSet | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { accessToken, refreshToken, expiresAt } = value as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') return null;
  if (refreshToken != null && typeof refreshToken !== 'string') return null;
  if (expiresAt != null && !Number.isFinite(expiresAt)) return null;
  const tokens: TokenSet = { accessToken };
  if (typeof refreshToken === 'string') tokens.refreshToken = refreshToken;
  if (typeof expiresAt === 'number') tokens.expiresAt = expiresAt;
  return tokens;
}

/**
 * Keeps tokens in web storage (`localStorage` by default, or `sessionStorage`) as JSON under one
 * key, so they outlive a page load. Content that is not a token set (corrupt JSON, another
 * app's data under the same key) reads as no tokens; only a storage that refuses to be read makes
 * `get` throw. `set` and `clear` throw what the storage
 * throws (a full quota, say); the session reports that through `onStoreError` and keeps the
 * tokens in memory.
 *
 * Anything in web storage can be read by any script on the page: prefer `memoryStore()` where an
 * XSS would cost more than a login.
 *
 * @example createAuthSession({ refresh, store: webStorageStore({ storage: sessionStorage }) })
 */
export function webStorageStore(options: WebStorageStoreOptions = {}): TokenStore {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('webStorageStore: options must be an object.');
  }
  const key = options.key ?? DEFAULT_KEY;
  if (typeof key !== 'string' || key === '') {
    throw new TypeError('webStorageStore: `key` must be a non-empty string.');
  }
  const storage = options.storage ?? defaultStorage();
  if (!isStorageLike(storage)) {
    throw new TypeError(
      options.storage === undefined
        ? 'webStorageStore: there is no globalThis.localStorage here (Node, a worker, or storage ' +
            'disabled). Pass `storage`, or use memoryStore() or a store of your own.'
        : 'webStorageStore: `storage` must have getItem, setItem and removeItem methods.',
    );
  }
  return {
    get: () => parseTokenSet(storage.getItem(key)),
    set: (tokens) => storage.setItem(key, JSON.stringify(tokens)),
    clear: () => storage.removeItem(key),
  };
}
