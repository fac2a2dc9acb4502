import axios from 'axios';
import { attachBearerAuth, createAuthSession, refreshTokenGrant } from '../../src/index.js';
import {
  ACCESS_TOKEN_TTL,
  advanceClock,
  CLIENTS,
  startAuthorizationServer,
  useControlledClock,
  type AuthorizationServer,
} from './authorization-server.js';

const STORM = 200;

let as: AuthorizationServer;
beforeAll(async () => {
  useControlledClock();
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as?.close();
  jest.useRealTimers();
});

test(`${STORM} concurrent requests after the access token expired cost one refresh grant at the provider, and all succeed`, async () => {
  const tokens = await as.login('public');
  const session = createAuthSession({
    tokens,
    // Tokens here live 2 s; the default leeway (30 s) would refresh them before the first request.
    refreshLeeway: 500,
    refresh: refreshTokenGrant({
      tokenEndpoint: as.tokenEndpoint,
      clientId: CLIENTS.public.clientId,
    }),
  });
  const api = axios.create({ baseURL: as.apiUrl });
  attachBearerAuth(api, session);
  await expect(api.get('/items/first')).resolves.toMatchObject({ data: { sub: 'user-1' } });
  expect(as.counts.grants['refresh_token']).toBeUndefined();

  advanceClock((ACCESS_TOKEN_TTL + 1) * 1000);
  // The API now refuses the old token: the refresh is needed, not a formality.
  await expect(
    axios.get(`${as.apiUrl}/items/probe`, {
      headers: { Authorization: `Bearer ${tokens.accessToken}` },
    }),
  ).rejects.toMatchObject({ response: { status: 401 } });

  const tokenRequestsBefore = as.counts.tokenRequests;
  const responses = await Promise.all(
    Array.from({ length: STORM }, (_, i) => api.get<{ url: string }>(`/items/${i}`)),
  );

  expect(responses.map((response) => response.data.url)).toEqual(
    Array.from({ length: STORM }, (_, i) => `/items/${i}`),
  );
  expect(as.counts.tokenRequests - tokenRequestsBefore).toBe(1);
  expect(as.counts.grants['refresh_token']).toBe(1);
  expect(as.counts.grantErrors).toEqual({});
  // The public client's refresh token rotated.
  const after = session.getTokens()!;
  expect(after.refreshToken).toEqual(expect.any(String));
  expect(after.refreshToken).not.toBe(tokens.refreshToken);
  expect(after.accessToken).not.toBe(tokens.accessToken);
});
