/**
 * Tells whether code runs inside a session's own refresh function, where the platform can tell
 * (Node's AsyncLocalStorage). A request made there without `skipAuth` would otherwise wait for the
 * refresh it is part of until the refresh timeout; with this it fails at once with a message that
 * names the fix. Elsewhere (browsers) `isInside` is always false and the timeout is the backstop.
 */

interface AsyncLocalStorageLike {
  run<R>(store: unknown, callback: () => R): R;
  getStore(): unknown;
}

type AsyncLocalStorageClass = new () => AsyncLocalStorageLike;

function findAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  const runtime = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    AsyncLocalStorage?: AsyncLocalStorageClass;
  };
  if (runtime.AsyncLocalStorage) return runtime.AsyncLocalStorage;
  try {
    const hooks = runtime.process?.getBuiltinModule?.('node:async_hooks') as
      { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined;
    return hooks?.AsyncLocalStorage;
  } catch {
    return undefined;
  }
}

export interface ReentryGuard {
  run<R>(callback: () => R): R;
  isInside(): boolean;
}

export function createReentryGuard(): ReentryGuard {
  const Storage = findAsyncLocalStorage();
  if (!Storage) return { run: (callback) => callback(), isInside: () => false };
  const storage = new Storage();
  const marker = {};
  return {
    run: (callback) => storage.run(marker, callback),
    isInside: () => storage.getStore() === marker,
  };
}
