import axios from 'axios';
import { attachBearerAuth, clientCredentials, createAuthSession } from '../../src/index.js';
import {
  ACCESS_TOKEN_TTL,
  advanceClock,
  API_RESOURCE,
  API_SCOPE,
  CLIENTS,
  startAuthorizationServer,
  useControlledClock,
  type AuthorizationServer,
} from './authorization-server.js';

let as: AuthorizationServer;
beforeAll(async () => {
  useControlledClock();
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as?.close();
  jest.useRealTimers();
});

test('500 requests across three token lifetimes cost three client credentials requests, one per lifetime', async () => {
  const onTokenRefreshed = jest.fn();
  const session = createAuthSession({
    ...clientCredentials({
      tokenEndpoint: as.tokenEndpoint,
      clientId: CLIENTS.service.clientId,
      clientSecret: CLIENTS.service.clientSecret,
      scope: API_SCOPE,
      resource: API_RESOURCE,
    }),
    refreshLeeway: 500,
    onTokenRefreshed,
  });
  const api = axios.create({ baseURL: as.apiUrl });
  attachBearerAuth(api, session);
  const before = as.counts.tokenRequests;

  // Per lifetime: a concurrent wave, 0.4 s later (token still fresh) a second wave.
  const waves = [
    [100, 70],
    [90, 75],
    [85, 80],
  ];
  const answers: Array<{ url: string; clientId: string }> = [];
  let sent = 0;
  for (const [lifetime, sizes] of waves.entries()) {
    if (lifetime > 0) advanceClock(ACCESS_TOKEN_TTL * 1000);
    for (const size of sizes) {
      const wave = Array.from({ length: size }, () =>
        api.get<{ url: string; clientId: string }>(`/items/${sent++}`),
      );
      answers.push(...(await Promise.all(wave)).map((response) => response.data));
      advanceClock(400);
    }
  }

  expect(sent).toBe(500);
  expect(answers).toHaveLength(500);
  expect(answers.every((answer) => answer.clientId === CLIENTS.service.clientId)).toBe(true);
  expect(as.counts.tokenRequests - before).toBe(3);
  expect(as.counts.grants['client_credentials']).toBe(3);
  expect(as.api.refused).toBe(0);
  expect(
    onTokenRefreshed.mock.calls.map(([event]) => (event as { trigger: string }).trigger),
  ).toEqual(['empty', 'expiry', 'expiry']);
});
