/**
 * Calls a user's event callback. The library logs nothing itself; these callbacks are how it
 * reports. A callback that throws must not corrupt the refresh or the requests waiting on it, and
 * must not vanish either: its error is rethrown on a fresh task, where the platform reports it as
 * an uncaught error (as it would for an EventEmitter listener).
 */
export function emit<E>(listener: ((event: E) => void) | undefined, event: E): void {
  if (!listener) return;
  try {
    listener(event);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
