import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientFor, destroyAgents } from './client.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  destroyAgents();
  await server.close();
});

describe('a refusal that arrives after the refresh completed', () => {
  it('replays at once with the current token and does not refresh a second time', async () => {
    const onReplay = jest.fn();
    const { instance, handle } = clientFor(server, { onReplay });
    const expired = handle.session.getTokens()!.accessToken;
    server.expireAccessTokens();
    const slow = server.hold((request) => request.url === '/slow');

    const late = instance.get('/slow');
    await slow.arrived;
    const quick = await instance.get('/quick');
    const fresh = handle.session.getTokens()!.accessToken;
    expect(server.stats.refreshCalls).toBe(1);
    slow.release();
    const response = await late;

    expect(fresh).not.toBe(expired);
    expect(quick.status).toBe(200);
    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(1);
    expect(onReplay).toHaveBeenCalledTimes(2);
    expect(server.requestsTo('/slow').map((request) => [request.token, request.status])).toEqual([
      [expired, 401],
      [fresh, 200],
    ]);
    expect(server.requests.filter((request) => request.endpoint === 'token')).toHaveLength(1);
  });
});
