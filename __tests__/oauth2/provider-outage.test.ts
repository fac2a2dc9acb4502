import axios from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  RefreshFailedError,
  refreshTokenGrant,
} from '../../src/index.js';
import {
  ACCESS_TOKEN_TTL,
  advanceClock,
  CLIENTS,
  startAuthorizationServer,
  useControlledClock,
  type AuthorizationServer,
} from './authorization-server.js';
import { everythingIn, expectNoSecret, settle } from './mock-helpers.js';

let as: AuthorizationServer;
beforeAll(async () => {
  useControlledClock();
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as?.close();
  jest.useRealTimers();
});

test('while the provider is down refreshes fail as transient errors and the tokens are kept; once it is back the next requests recover', async () => {
  const tokens = await as.login('confidential');
  const onSessionEnded = jest.fn();
  const onRefreshFailed = jest.fn();
  const session = createAuthSession({
    tokens,
    refreshLeeway: 500,
    refresh: refreshTokenGrant({
      tokenEndpoint: as.tokenEndpoint,
      clientId: CLIENTS.confidential.clientId,
      clientSecret: CLIENTS.confidential.clientSecret,
    }),
    onSessionEnded,
    onRefreshFailed,
  });
  const api = axios.create({ baseURL: as.apiUrl });
  attachBearerAuth(api, session);
  await expect(api.get('/items/before')).resolves.toMatchObject({ status: 200 });

  await as.stop();
  advanceClock((ACCESS_TOKEN_TTL + 1) * 1000);
  for (let attempt = 0; attempt < 2; attempt++) {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => settle(api.get('/items/down'))),
    );
    const errors = outcomes.map((outcome) => (outcome as { reason?: unknown }).reason);
    expect(new Set(errors).size).toBe(1);
    const error = errors[0] as RefreshFailedError;
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(isSessionEndedError(error)).toBe(false);
    expect(error).toMatchObject({ code: 'ERR_REFRESH_FAILED', status: undefined });
    // Refused, or reset when a pooled keep-alive socket to the stopped server is tried first.
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain((error.cause as { code?: unknown }).code);
    expectNoSecret(everythingIn(error), [
      tokens.accessToken,
      tokens.refreshToken!,
      CLIENTS.confidential.clientSecret,
    ]);
    expect(session.getTokens()).toEqual(tokens);
  }
  expect(onRefreshFailed).toHaveBeenCalledTimes(2);

  await as.restart();
  const grantsBefore = as.counts.grants['refresh_token'] ?? 0;
  const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => api.get(`/items/${i}`)));

  expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
  expect(as.counts.grants['refresh_token']).toBe(grantsBefore + 1);
  expect(session.getTokens()!.refreshToken).not.toBe(tokens.refreshToken);
  expect(onSessionEnded).not.toHaveBeenCalled();
});
