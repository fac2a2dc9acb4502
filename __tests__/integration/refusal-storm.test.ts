import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientFor, destroyAgents } from './client.js';

const COUNT = 1000;
/** 2,000 HTTP exchanges: ample time for a loaded CI machine; a deadlock still fails. */
const STORM_TIMEOUT = 60_000;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  destroyAgents();
  await server.close();
});

describe('a storm of refusals', () => {
  it(
    `refreshes exactly once for ${COUNT} concurrent requests refused with an expired token, and replays every one with the new token`,
    async () => {
      const onTokenRefreshed = jest.fn();
      const onReplay = jest.fn();
      const { instance, handle } = clientFor(server, { onTokenRefreshed, onReplay });
      const expired = handle.session.getTokens()!.accessToken;
      server.expireAccessTokens();

      const responses = await Promise.all(
        Array.from({ length: COUNT }, (_, i) =>
          i % 2 === 0 ? instance.get(`/items/${i}`) : instance.post(`/items/${i}`, { index: i }),
        ),
      );

      const fresh = handle.session.getTokens()!.accessToken;
      expect(fresh).not.toBe(expired);
      expect(server.stats.refreshCalls).toBe(1);
      expect(onTokenRefreshed).toHaveBeenCalledTimes(1);
      expect(onReplay).toHaveBeenCalledTimes(COUNT);
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(responses.map((response) => (response.data as { token: string }).token)).toEqual(
        Array.from({ length: COUNT }, () => fresh),
      );

      const api = server.requests.filter((request) => request.endpoint === 'api');
      expect(api).toHaveLength(2 * COUNT);
      expect(server.stats.refusals).toBe(COUNT);
      expect(server.stats.requestsPerToken.get(expired)).toBe(COUNT);
      expect(server.stats.requestsPerToken.get(fresh)).toBe(COUNT);
      for (let i = 0; i < COUNT; i++) {
        const attempts = server.requestsTo(`/items/${i}`);
        expect(attempts.map((request) => [request.token, request.status])).toEqual([
          [expired, 401],
          [fresh, 200],
        ]);
      }
    },
    STORM_TIMEOUT,
  );
});
