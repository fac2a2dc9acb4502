import axios, { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';

/** Every instance points at a closed port on loopback: nothing can leave the machine. */
export const BASE_URL = 'http://127.0.0.1:9/api';

/** Distinctive token strings, so that a leak is found by a plain substring search. */
export const OLD_ACCESS = 'OLDaccessZq7x9kLmN3pR';
export const NEW_ACCESS = 'NEWaccessYw4v8JhTt2sQ';
export const NEWER_ACCESS = 'NEWERaccessUu6b1CdEe5fG';
export const OLD_REFRESH = 'OLDrefreshHh0j2KkLl4mM';
export const NEW_REFRESH = 'NEWrefreshPp8r3SsTt7uV';

export function newInstance(config: AxiosRequestConfig = {}): {
  instance: AxiosInstance;
  mock: MockAdapter;
} {
  const instance = axios.create({ baseURL: BASE_URL, ...config });
  const mock = new MockAdapter(instance, { onNoMatch: 'throwException' });
  return { instance, mock };
}

/** The value of `name` on a request config the mock adapter received. */
export function headerOf(config: AxiosRequestConfig, name = 'Authorization'): string | undefined {
  const value = AxiosHeaders.from(config.headers as AxiosHeaders).get(name);
  return typeof value === 'string' ? value : undefined;
}

/** The bearer token a request config carried, or `undefined`. */
export function tokenOf(config: AxiosRequestConfig): string | undefined {
  const value = headerOf(config);
  return value?.startsWith('Bearer ') ? value.slice('Bearer '.length) : undefined;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (the mock adapter answers on microtasks/timers 0). */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves to the settled state of `promise` (for asserting many outcomes at once). */
export function settle<T>(promise: Promise<T>) {
  return promise.then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  );
}

/**
 * A mock API route that answers 200 to `accepted` and 401 to anything else, and counts the
 * tokens it saw.
 */
export function tokenCounter() {
  const seen = new Map<string, number>();
  return {
    seen,
    record(config: AxiosRequestConfig) {
      const token = tokenOf(config) ?? '<none>';
      seen.set(token, (seen.get(token) ?? 0) + 1);
      return token;
    },
  };
}

/**
 * Always hands out NEW_ACCESS; gives up after a few calls so that a replay loop (if the library
 * had one) ends in a failed assertion instead of spinning for ever.
 */
export function boundedRefresh() {
  let calls = 0;
  return jest.fn(async () => {
    if (++calls > 3) throw new Error('refresh called in a loop');
    return { accessToken: NEW_ACCESS };
  });
}

/** Calls `fn` and returns the TypeError it throws (failing the test if it does not). */
export function typeErrorOf(fn: () => unknown): TypeError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  return thrown as TypeError;
}
