/**
 * Shared pieces of the expiry, store, origin and hygiene tests: distinctive tokens, mocked
 * instances that cannot reach any network, a fake clock, JWT builders and event recorders.
 */
import axios, { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { AuthSessionOptions } from '../../src/index.js';

/** A closed port on loopback: even a request that escaped the mock could not leave the machine. */
export const LOOPBACK_BASE = 'http://127.0.0.1:9/api';

/** Start of every fake clock: 2030-01-01T00:00:00Z. */
export const T0 = Date.UTC(2030, 0, 1);

export const MINUTE = 60_000;

/**
 * Distinctive tokens: long enough for the session's scrubber and unique enough that a plain
 * substring search finds any leak.
 */
export const ACCESS_1 = 'AT1xQm4Zr8Vb2Nc6Lp0Wd';
export const ACCESS_2 = 'AT2yHk7Jt3Gf9Sa5Ue1Ro';
export const ACCESS_3 = 'AT3zPw6Xe2Cv8Bn4Mq0Ik';
export const REFRESH_1 = 'RT1aLs3Dk9Fj5Gh7Qw2Er';
export const REFRESH_2 = 'RT2bTy6Ui4Op8As1Zx3Cv';

/**
 * Fakes the clock. Only `Date` and the timer functions are faked: `nextTick`, `setImmediate` and
 * `queueMicrotask` stay real, so promise chains and {@link flush} keep working.
 */
export function useFakeClock(now = T0): void {
  jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
}

/**
 * Fakes `Date` only, for tests against a real server: Node's sockets and axios's http adapter run
 * on real timers, while the session and the server judge expiry by the fake date.
 */
export function useFakeDate(now = T0): void {
  jest.useFakeTimers({
    now,
    doNotFake: [
      'nextTick',
      'setImmediate',
      'queueMicrotask',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'hrtime',
      'performance',
    ],
  });
}

/** Lets every pending promise callback and mock answer run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
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

/**
 * An axios instance whose adapter is a mock that throws on anything it was not told about.
 * `baseURL` null: none at all.
 */
export function mockedInstance(baseURL: string | null = LOOPBACK_BASE): {
  instance: AxiosInstance;
  mock: MockAdapter;
} {
  const instance = axios.create(baseURL === null ? {} : { baseURL });
  const mock = new MockAdapter(instance, { onNoMatch: 'throwException' });
  return { instance, mock };
}

/** The bearer token a request config carried, or `undefined`. */
export function tokenOf(config: AxiosRequestConfig, header = 'Authorization'): string | undefined {
  const value = AxiosHeaders.from(config.headers as AxiosHeaders).get(header);
  return typeof value === 'string' && value.startsWith('Bearer ')
    ? value.slice('Bearer '.length)
    : undefined;
}

/**
 * Answers every request with 200 when it carries one of `accepted`, else 401, and records the
 * token (`'<none>'` without one) each request carried, in order.
 */
export function acceptOnly(mock: MockAdapter, accepted: () => readonly string[]) {
  const sent: string[] = [];
  mock.onAny().reply((config) => {
    const token = tokenOf(config);
    sent.push(token ?? '<none>');
    return token !== undefined && accepted().includes(token) ? [200, { token }] : [401, {}];
  });
  return sent;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A JWT-shaped token (unsigned) whose payload is `payload` serialised as given. */
export function jwtWithPayload(payloadJson: string): string {
  return `${base64url('{"alg":"none","typ":"JWT"}')}.${base64url(payloadJson)}.c2lnbmF0dXJl`;
}

/** A JWT-shaped token expiring at `expiresAt` (epoch ms, rounded down to whole seconds). */
export function jwtExpiringAt(expiresAt: number, subject = 'user-1'): string {
  return jwtWithPayload(JSON.stringify({ sub: subject, exp: Math.floor(expiresAt / 1000) }));
}

/** Session callbacks that record every event they receive. */
export function recordEvents() {
  const events: Array<{ type: string; event: unknown }> = [];
  const push = (type: string) => (event: unknown) => {
    events.push({ type, event });
  };
  const callbacks = {
    onTokenRefreshed: push('tokenRefreshed'),
    onRefreshFailed: push('refreshFailed'),
    onSessionEnded: push('sessionEnded'),
    onReplay: push('replay'),
    onStoreError: push('storeError'),
  } satisfies Partial<AuthSessionOptions>;
  const ofType = (type: string) => events.filter((entry) => entry.type === type);
  return { events, callbacks, ofType };
}

/**
 * Everything a logger could print of `value`: `util.inspect` with hidden properties at any depth
 * (messages, stacks, causes), plus JSON with own non-enumerable properties of errors included.
 */
export function serialise(value: unknown): string {
  const seen = new WeakSet<object>();
  const json = JSON.stringify(value, function replacer(_key, item: unknown) {
    if (typeof item === 'object' && item !== null) {
      if (seen.has(item)) return '[circular]';
      seen.add(item);
      if (item instanceof Error) {
        const all: Record<string, unknown> = {};
        for (const name of Object.getOwnPropertyNames(item)) {
          all[name] = (item as unknown as Record<string, unknown>)[name];
        }
        return all;
      }
    }
    return item;
  });
  return `${inspect(value, { showHidden: true, depth: Infinity, getters: true })}\n${json}`;
}

/** What a {@link startRecordingServer} received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A tiny server on 127.0.0.1 (random port) that records every request and answers with
 * `respond` (default: 200 `{}`), after reading the body.
 */
export async function startRecordingServer(
  respond: (request: ReceivedRequest, res: ServerResponse) => void = (_request, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  },
): Promise<RecordingServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
      received.push(request);
      respond(request, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A request as {@link startTokenServer} saw it. */
export interface TokenServerRequest {
  endpoint: 'api' | 'token';
  url: string;
  /** The bearer token carried, if any. */
  token: string | undefined;
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  requests: TokenServerRequest[];
  stats: { refreshCalls: number; refusals: number; requestsPerToken: Map<string, number> };
  /** Issues `at-<n>` / `rt-<n>` as a login would (not counted as a refresh). */
  login(): { accessToken: string; refreshToken: string };
  /** Makes every access token issued so far be refused from now on. */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

/**
 * A tiny API and token endpoint on 127.0.0.1. `POST /token` takes a form `refresh_token` (each
 * works once) and answers `{ access_token, refresh_token }`; every other path answers 200
 * `{ token }` to a current access token and 401 otherwise. Access tokens are refused from
 * `accessTokenLifetime` ms after they are issued, judged by `Date.now()` (fake in tests).
 */
export async function startTokenServer(accessTokenLifetime = Infinity): Promise<TokenServer> {
  let counter = 0;
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const requests: TokenServerRequest[] = [];
  const stats = { refreshCalls: 0, refusals: 0, requestsPerToken: new Map<string, number>() };
  const login = () => {
    counter++;
    accessTokens.set(`at-${counter}`, Date.now() + accessTokenLifetime);
    refreshTokens.add(`rt-${counter}`);
    return { accessToken: `at-${counter}`, refreshToken: `rt-${counter}` };
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
      const url = req.url ?? '/';
      const endpoint = req.method === 'POST' && url === '/token' ? 'token' : 'api';
      requests.push({ endpoint, url, token });
      if (endpoint === 'token') {
        stats.refreshCalls++;
        const presented = new URLSearchParams(Buffer.concat(chunks).toString()).get(
          'refresh_token',
        );
        if (!presented || !refreshTokens.delete(presented)) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        const pair = login();
        return json(res, 200, { access_token: pair.accessToken, refresh_token: pair.refreshToken });
      }
      const key = token ?? 'none';
      stats.requestsPerToken.set(key, (stats.requestsPerToken.get(key) ?? 0) + 1);
      const expiresAt = token === undefined ? undefined : accessTokens.get(token);
      if (expiresAt === undefined || Date.now() >= expiresAt) {
        stats.refusals++;
        return json(res, 401, { error: 'invalid_token' });
      }
      return json(res, 200, { token });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    stats,
    login,
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, -Infinity);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
