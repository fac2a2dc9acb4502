import axios from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  refreshTokenGrant,
  SessionEndedError,
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

test('a rotated-out refresh token used again is refused by the provider and that session ends cleanly, once', async () => {
  const tokens = await as.login('confidential');
  const refresh = refreshTokenGrant({
    tokenEndpoint: as.tokenEndpoint,
    clientId: CLIENTS.confidential.clientId,
    clientSecret: CLIENTS.confidential.clientSecret,
  });
  const current = createAuthSession({ tokens, refreshLeeway: 500, refresh });
  await current.refresh();
  const rotated = current.getTokens()!;
  expect(rotated.refreshToken).toEqual(expect.any(String));
  expect(rotated.refreshToken).not.toBe(tokens.refreshToken);

  // A second holder of the old tokens (a stale copy in storage, or a thief) spends them again.
  const onSessionEnded = jest.fn();
  const onRefreshFailed = jest.fn();
  const stale = createAuthSession({
    tokens,
    refreshLeeway: 500,
    refresh,
    onSessionEnded,
    onRefreshFailed,
  });
  const api = axios.create({ baseURL: as.apiUrl });
  attachBearerAuth(api, stale);
  advanceClock((ACCESS_TOKEN_TTL + 1) * 1000);
  const tokenRequestsBefore = as.counts.tokenRequests;
  const apiBefore = { ...as.api };

  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) => settle(api.get(`/items/${i}`))),
  );

  const errors = outcomes.map((outcome) => (outcome as { reason?: unknown }).reason);
  const error = errors[0] as SessionEndedError;
  expect(error).toBeInstanceOf(SessionEndedError);
  expect(error).toMatchObject({ reason: 'refresh-refused', oauthError: 'invalid_grant' });
  expect(new Set(errors)).toEqual(new Set([error]));
  expect(as.counts.tokenRequests - tokenRequestsBefore).toBe(1);
  expect(as.counts.grantErrors['invalid_grant']).toBe(1);
  expect(as.api).toEqual(apiBefore);
  expect(stale.getTokens()).toBeNull();
  expect(onSessionEnded).toHaveBeenCalledTimes(1);
  expect(onRefreshFailed).toHaveBeenCalledTimes(1);
  expectNoSecret(everythingIn(error), [
    tokens.accessToken,
    tokens.refreshToken!,
    rotated.accessToken,
    rotated.refreshToken!,
    CLIENTS.confidential.clientSecret,
  ]);

  // The ended session sends nothing more.
  await expect(api.get('/items/after')).rejects.toBeInstanceOf(SessionEndedError);
  expect(as.counts.tokenRequests - tokenRequestsBefore).toBe(1);

  // The provider saw the reuse and revoked the grant: the legitimate holder is logged out too.
  await expect(current.refresh()).rejects.toMatchObject({ oauthError: 'invalid_grant' });
  expect(current.getTokens()).toBeNull();
});
