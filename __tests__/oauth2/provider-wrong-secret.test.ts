import axios from 'axios';
import {
  attachBearerAuth,
  clientCredentials,
  createAuthSession,
  OAuthConfigurationError,
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

const WRONG_SECRET = 'wrongSecretPq4Rs5Tu6Vw7';

let as: AuthorizationServer;
beforeAll(async () => {
  useControlledClock();
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as?.close();
  jest.useRealTimers();
});

/** Lets any retry that might be scheduled have its chance to run. */
const quiet = () => new Promise<void>((resolve) => setTimeout(resolve, 50));

test('client credentials with a wrong secret: a configuration error, one token request per attempt, no loop', async () => {
  const onRefreshFailed = jest.fn();
  const session = createAuthSession({
    ...clientCredentials({
      tokenEndpoint: as.tokenEndpoint,
      clientId: CLIENTS.service.clientId,
      clientSecret: WRONG_SECRET,
    }),
    onRefreshFailed,
  });
  const api = axios.create({ baseURL: as.apiUrl });
  attachBearerAuth(api, session);
  const before = as.counts.tokenRequests;
  const apiBefore = { ...as.api };

  const outcomes = await Promise.all(
    Array.from({ length: 20 }, (_, i) => settle(api.get(`/jobs/${i}`))),
  );
  await quiet();

  const errors = outcomes.map((outcome) => (outcome as { reason?: unknown }).reason);
  const error = errors[0] as OAuthConfigurationError;
  expect(error).toBeInstanceOf(OAuthConfigurationError);
  expect(error).toMatchObject({
    code: 'ERR_OAUTH_CONFIGURATION',
    oauthError: 'invalid_client',
    status: 401,
  });
  expect(error.message).toContain('Check clientId, clientSecret and clientAuthentication');
  expect(new Set(errors)).toEqual(new Set([error]));
  expect(as.counts.tokenRequests - before).toBe(1);
  expect(as.counts.grantErrors['invalid_client']).toBe(1);
  expect(as.api).toEqual(apiBefore);
  expect(onRefreshFailed).toHaveBeenCalledTimes(1);
  expectNoSecret(everythingIn(error), [
    WRONG_SECRET,
    encodeURIComponent(WRONG_SECRET),
    btoa(`${CLIENTS.service.clientId}:${WRONG_SECRET}`),
  ]);

  // A later request tries once more, and only once.
  await expect(api.get('/jobs/later')).rejects.toBeInstanceOf(OAuthConfigurationError);
  await quiet();
  expect(as.counts.tokenRequests - before).toBe(2);
});

test('refresh token grant with a wrong secret: a configuration error and the user stays logged in', async () => {
  const tokens = await as.login('confidential');
  const onSessionEnded = jest.fn();
  const session = createAuthSession({
    tokens,
    refreshLeeway: 500,
    refresh: refreshTokenGrant({
      tokenEndpoint: as.tokenEndpoint,
      clientId: CLIENTS.confidential.clientId,
      clientSecret: WRONG_SECRET,
    }),
    onSessionEnded,
  });
  const api = axios.create({ baseURL: as.apiUrl });
  attachBearerAuth(api, session);
  advanceClock((ACCESS_TOKEN_TTL + 1) * 1000);
  const before = as.counts.tokenRequests;

  const outcomes = await Promise.all(Array.from({ length: 5 }, () => settle(api.get('/me'))));
  await quiet();

  expect(
    outcomes.every(
      (outcome) => (outcome as { reason?: unknown }).reason instanceof OAuthConfigurationError,
    ),
  ).toBe(true);
  expect(as.counts.tokenRequests - before).toBe(1);
  expect(session.getTokens()).toEqual(tokens);
  expect(onSessionEnded).not.toHaveBeenCalled();
});
