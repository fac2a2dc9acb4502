/**
 * Tells whether code runs synchronously inside a session's own refresh function. A refresh
 * function that sends its token request through an instance the session is attached to, without
 * `skipAuth`, would wait for the refresh it is part of. Most do so before their first `await`,
 * while this guard is up: the request side notices (axios picks interceptors synchronously) and
 * fails that request at once with a message naming the fix. A request sent after an `await`
 * cannot be traced without AsyncLocalStorage, which on Node 20 slows every promise in the
 * process about threefold once used; there the refresh timeout, whose message names the same fix,
 * is the backstop.
 */
export interface ReentryGuard {
  run<R>(callback: () => R): R;
  isInside(): boolean;
}

export function createReentryGuard(): ReentryGuard {
  let depth = 0;
  return {
    run(callback) {
      depth++;
      try {
        return callback();
      } finally {
        depth--;
      }
    },
    isInside: () => depth > 0,
  };
}
