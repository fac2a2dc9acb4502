import axios, { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { inspect } from 'node:util';

/** Loopback, closed port: nothing leaves the machine even if a mock were bypassed. */
export const TOKEN_ENDPOINT = 'http://127.0.0.1:9/oauth/token';
export const API_URL = 'http://127.0.0.1:9/api';

/** Distinctive secrets, so a leak is found by a plain substring search. */
export const ACCESS_1 = 'ACCESSoneQw3e4r5t6y7u8';
export const ACCESS_2 = 'ACCESStwoZx9c8v7b6n5m4';
export const REFRESH_1 = 'REFRESHoneAs1d2f3g4h5j6';
export const REFRESH_2 = 'REFRESHtwoKk8l7p6o5i4u3';
export const CLIENT_SECRET = 'SECRETclientMn3b4v5c6x7';

/** An instance whose every request is answered by the mock (unmatched ones throw). */
export function mockedInstance(config: AxiosRequestConfig = {}): {
  instance: AxiosInstance;
  mock: MockAdapter;
} {
  const instance = axios.create(config);
  const mock = new MockAdapter(instance, { onNoMatch: 'throwException' });
  return { instance, mock };
}

export function headerOf(config: AxiosRequestConfig, name: string): string | undefined {
  const value = AxiosHeaders.from(config.headers as AxiosHeaders).get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Everything reachable from an error, as a logger that walks causes would print it. */
export function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    parts.push(inspect(current, { depth: 8, showHidden: true }));
    try {
      parts.push(JSON.stringify(current));
    } catch {
      // circular: inspect has it
    }
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** Rejects the test when `text` contains any of the secrets. */
export function expectNoSecret(text: string, secrets: readonly string[] = ALL_SECRETS) {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

export const ALL_SECRETS = [ACCESS_1, ACCESS_2, REFRESH_1, REFRESH_2, CLIENT_SECRET];

/** Resolves to the settled state of `promise`. */
export function settle<T>(promise: Promise<T>) {
  return promise.then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  );
}

/** A refresh context with a signal the test controls. */
export function context(trigger: 'refusal' | 'expiry' | 'manual' | 'empty' = 'manual') {
  const controller = new AbortController();
  return { controller, context: { signal: controller.signal, trigger } };
}
