/**
 * A burst of requests near a known expiry, against the real test server on 127.0.0.1: one
 * proactive refresh, and not a single 401 on the wire.
 */
import axios from 'axios';
import { attachBearerAuth, createAuthSession, type RefreshFunction } from '../../src/index.js';
import { MINUTE, T0, startTokenServer, type TokenServer, useFakeDate } from './support.js';

const LIFETIME = 10 * MINUTE;
const BURST = 100;

let server: TokenServer;

beforeEach(async () => {
  useFakeDate(T0);
  server = await startTokenServer(LIFETIME);
});
afterEach(async () => {
  await server.close();
  jest.useRealTimers();
});

/** Posts the refresh token to the server and reports the lifetime it grants as expiresIn. */
function refreshWithExpiry(): RefreshFunction {
  const http = axios.create({ baseURL: server.origin, proxy: false });
  return async (current, { signal }) => {
    const response = await http.post<{ access_token: string; refresh_token: string }>(
      '/token',
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: current!.refreshToken! }),
      { signal },
    );
    return {
      accessToken: response.data.access_token,
      refreshToken: response.data.refresh_token,
      expiresIn: LIFETIME / 1000,
    };
  };
}

function client() {
  const login = server.login(); // issued at T0, refused by the server from T0 + LIFETIME
  const session = createAuthSession({
    tokens: { ...login, expiresAt: T0 + LIFETIME },
    refresh: refreshWithExpiry(),
  });
  const api = axios.create({ baseURL: server.origin, proxy: false });
  attachBearerAuth(api, session);
  return { api, session, login };
}

async function burst(api: ReturnType<typeof client>['api']) {
  const responses = await Promise.all(
    Array.from({ length: BURST }, (_, i) => api.get<{ token: string }>(`/items/${i}`)),
  );
  return responses.map((response) => response.data.token);
}

it(`sends ${BURST} concurrent requests inside the leeway after exactly one refresh, with no 401`, async () => {
  const { api, login } = client();
  jest.setSystemTime(T0 + LIFETIME - 10_000); // the old token is still good for 10 s

  const tokens = await burst(api);

  expect(server.stats.refreshCalls).toBe(1);
  expect(server.stats.refusals).toBe(0);
  expect(new Set(tokens)).toEqual(new Set(['at-2']));
  expect(server.stats.requestsPerToken.get(login.accessToken)).toBeUndefined();
  expect(server.stats.requestsPerToken.get('at-2')).toBe(BURST);
});

it(`sends ${BURST} concurrent requests after expiry with one refresh and no 401`, async () => {
  const { api, login } = client();
  jest.setSystemTime(T0 + LIFETIME + MINUTE);
  // The server really refuses the old token now: any request carrying it would be a 401.
  await expect(
    axios.get(`${server.origin}/probe`, {
      proxy: false,
      headers: { Authorization: `Bearer ${login.accessToken}` },
    }),
  ).rejects.toMatchObject({ response: { status: 401 } });
  const refusalsBefore = server.stats.refusals;

  const tokens = await burst(api);

  expect(server.stats.refreshCalls).toBe(1);
  expect(server.stats.refusals).toBe(refusalsBefore);
  expect(tokens).toEqual(Array.from({ length: BURST }, () => 'at-2'));
});

it('sends a burst just outside the leeway with the old token and no refresh', async () => {
  const { api, login } = client();
  jest.setSystemTime(T0 + LIFETIME - 30_000 - 1);

  const tokens = await burst(api);

  expect(server.stats.refreshCalls).toBe(0);
  expect(server.stats.refusals).toBe(0);
  expect(tokens).toEqual(Array.from({ length: BURST }, () => login.accessToken));
});
