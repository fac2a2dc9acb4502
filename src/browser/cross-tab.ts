/**
 * Coordination of one session across the tabs of an origin that share a web storage store:
 *
 * - the Web Locks API serialises refreshes, so one tab refreshes while the others wait and then
 *   find the new tokens in the store instead of spending the (possibly single-use) refresh token
 *   again;
 * - a BroadcastChannel tells the other tabs that the tokens changed or that the user logged out.
 *   Messages carry no token: a tab that hears one re-reads the store.
 *
 * Without Web Locks, refreshes are single-flight per tab only; without BroadcastChannel, tabs learn
 * of new tokens when their old one is refused.
 */

export type CrossTabMessage = 'tokens' | 'logout';

export interface Coordinator {
  /** Whether other tabs share the store, so it must be re-read before refreshing. */
  readonly shared: boolean;
  /** Runs `task` while holding the refresh lock of every tab (or directly, without one). */
  exclusive<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T>;
  /** Tells the other tabs. */
  publish(message: CrossTabMessage): void;
}

export const localCoordinator: Coordinator = {
  shared: false,
  exclusive: (_signal, task) => task(),
  publish: () => undefined,
};

interface LockManagerLike {
  request<T>(name: string, options: { signal: AbortSignal }, task: () => Promise<T>): Promise<T>;
}

interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
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
  return {
    shared: true,
    exclusive: (signal, task) => (locks ? locks.request(name, { signal }, task) : task()),
    publish: (message) => channel?.postMessage(message),
  };
}
