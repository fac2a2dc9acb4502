/**
 * Files written into the temporary projects that install the packed package. Each uses the
 * package by its name, as an application would, never a path into this repository.
 */

/**
 * The runtime scenario, shared by the ES module and the CommonJS program. It talks only to the
 * test's server on 127.0.0.1 (API_URL) and prints one JSON line for the test to check:
 * five requests refused with a stale token share one refresh and are replayed (a POST with its
 * JSON body intact); a refused refresh token then ends the session with a SessionEndedError.
 */
const scenario = `
const base = process.env.API_URL;
if (!/^http:\\/\\/127\\.0\\.0\\.1:\\d+\\//.test(base)) throw new Error('API_URL must be on 127.0.0.1');
const instance = axios.create({ baseURL: base, timeout: 5000, proxy: false });
let refreshCalls = 0;
const session = createAuthSession({
  tokens: { accessToken: 'stale-access', refreshToken: 'refresh-1' },
  refresh: async (current, { signal }) => {
    refreshCalls += 1;
    const response = await instance.post(
      '/token',
      { refreshToken: current.refreshToken },
      { skipAuth: true, signal },
    );
    return response.data;
  },
});
const handle = attachBearerAuth(instance, session);

const results = await Promise.all([
  ...[1, 2, 3, 4].map((i) => instance.get('/data', { params: { i } }).then((r) => r.data)),
  instance.post('/echo', { text: 'h\\u00e9llo', n: [1, 2] }).then((r) => r.data),
]);
const tokensAfterRefresh = session.getTokens();
const refreshesForStorm = refreshCalls;

let attachTwice = 'no error';
try {
  attachBearerAuth(instance, session);
} catch (error) {
  attachTwice = error.constructor.name;
}

await session.setTokens({ accessToken: 'stale-again', refreshToken: 'revoked-refresh' });
let ended;
try {
  await instance.get('/data', { params: { i: 'after-revocation' } });
  ended = 'resolved';
} catch (error) {
  ended = {
    name: error.name,
    code: error.code,
    reason: error.reason,
    guard: lib.isSessionEndedError(error),
    sessionEndedClass: error instanceof lib.SessionEndedError,
    baseClass: error instanceof lib.BearerAuthError,
    text: JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) }),
  };
}
handle.eject();

console.log(JSON.stringify({
  resolved,
  axiosVersion: axios.VERSION,
  exports: Object.keys(lib).sort(),
  refreshesForStorm,
  refreshCalls,
  results,
  tokensAfterRefresh,
  attachTwice,
  ended,
  tokensAtEnd: session.getTokens(),
}));
`;

export const esmProgram = `
import axios from 'axios';
import * as lib from 'axios-bearer-refresh';
import { attachBearerAuth, createAuthSession } from 'axios-bearer-refresh';
const resolved = import.meta.resolve('axios-bearer-refresh');
${scenario}
`;

export const cjsProgram = `
const axios = require('axios');
const lib = require('axios-bearer-refresh');
const { attachBearerAuth, createAuthSession } = require('axios-bearer-refresh');
const resolved = require.resolve('axios-bearer-refresh');
(async () => {
${scenario}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/**
 * Typed usage a user would write: the per-request options through axios's own config type (the
 * package's module augmentation, no casts), the session, the errors and their guards, and an
 * axios instance created in the consuming project. `@ts-expect-error` lines prove the types are
 * real (a wrong option value and a wrong assignment must be rejected), so an `any` cannot pass.
 */
export const typedUsage = `
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import {
  attachBearerAuth,
  BearerAuthError,
  createAuthSession,
  ErrorCode,
  InvalidTokenResponseError,
  isBearerAuthError,
  isInvalidTokenResponseError,
  isNotReplayableError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  memoryStore,
  NotReplayableError,
  RefreshFailedError,
  RefreshTimeoutError,
  SessionEndedError,
  type AuthSession,
  type BearerAuthHandle,
  type RefreshResult,
  type SessionEndReason,
  type TokenSet,
} from 'axios-bearer-refresh';

const api: AxiosInstance = axios.create({ baseURL: 'http://127.0.0.1:9' });

export const session: AuthSession = createAuthSession({
  tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: 0 },
  store: memoryStore(),
  refreshTimeout: 5000,
  refresh: async (current, { signal, trigger }) => {
    const response = await api.post<{ access_token: string; expires_in: number }>(
      '/token',
      { refresh_token: current?.refreshToken, trigger },
      { skipAuth: true, signal },
    );
    const result: RefreshResult = {
      accessToken: response.data.access_token,
      expiresIn: response.data.expires_in,
    };
    return result;
  },
  onSessionEnded: ({ reason, error }) => {
    const why: SessionEndReason = reason;
    const ended: SessionEndedError = error;
    void why;
    void ended;
  },
});

export const handle: BearerAuthHandle = attachBearerAuth(api, session, {
  trustedOrigins: ['http://127.0.0.1:9'],
  isRefusal: (error) => error.response?.status === 401,
});

export async function use(): Promise<string> {
  const me: AxiosResponse<{ id: string }> = await api.get<{ id: string }>('/me', {
    skipRefresh: true,
  });
  await api.get('/public', { skipAuth: true });
  await api.request({ url: '/both', method: 'post', skipAuth: false, skipRefresh: false });
  const held: TokenSet | null = session.getTokens();
  await session.setTokens({ accessToken: 'b', expiresAt: Date.now() + 60_000 });
  const fresh: TokenSet = await session.refresh();
  await session.ready;
  await session.clear();
  handle.eject();
  return me.data.id + (held?.accessToken ?? '') + fresh.accessToken;
}

export function describeError(error: unknown): string {
  if (isSessionEndedError(error)) {
    const reason: 'no-tokens' | 'refresh-refused' | 'logout' = error.reason;
    const oauth: string | undefined = error.oauthError;
    return reason + (oauth ?? '');
  }
  if (isRefreshTimeoutError(error)) {
    const failure: RefreshFailedError = error;
    return String(failure.status);
  }
  if (isInvalidTokenResponseError(error)) return error.field;
  if (isRefreshFailedError(error)) {
    const status: number | undefined = error.status;
    return String(status);
  }
  if (isNotReplayableError(error)) return error.message;
  if (isBearerAuthError(error)) {
    const code: ErrorCode = error.code;
    return code === ErrorCode.SESSION_ENDED ? 'ended' : code;
  }
  if (error instanceof BearerAuthError) return error.code;
  return '';
}

export const classes = [
  RefreshFailedError,
  RefreshTimeoutError,
  InvalidTokenResponseError,
  SessionEndedError,
  NotReplayableError,
] as const;

// @ts-expect-error skipAuth takes a boolean
void api.get('/x', { skipAuth: 'yes' });
// @ts-expect-error skipRefresh takes a boolean
void api.get('/x', { skipRefresh: 1 });
// @ts-expect-error the session is typed, not any
export const notANumber: number = session;
// @ts-expect-error a token set needs an access token
void session.setTokens({ refreshToken: 'r' });
`;

/** An application entry for the browser bundle. */
export const browserEntry = `
import axios from 'axios';
import { attachBearerAuth, createAuthSession, isSessionEndedError } from 'axios-bearer-refresh';

const api = axios.create({ baseURL: '/api' });
const session = createAuthSession({
  refresh: async (current, { signal }) =>
    (await api.post('/token', { refreshToken: current?.refreshToken }, { skipAuth: true, signal })).data,
});
attachBearerAuth(api, session);
globalThis.app = { api, session, isSessionEndedError };
`;
