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

describe('the bearer header on the wire', () => {
  it('carries Authorization: Bearer <current access token> on every request', async () => {
    const { instance, handle } = clientFor(server);
    const token = handle.session.getTokens()!.accessToken;

    const responses = await Promise.all([
      instance.get('/items'),
      instance.post('/items', { name: 'a' }),
      instance.put('/items/1', 'text'),
      instance.patch('/items/1', { name: 'b' }),
      instance.delete('/items/1'),
      instance.request({ method: 'OPTIONS', url: '/items' }),
    ]);

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(server.requests).toHaveLength(6);
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${token}`);
    }
    expect(server.stats.refreshCalls).toBe(0);
  });

  it('sends no Authorization header at all on a skipAuth request', async () => {
    const { instance } = clientFor(server);

    const response = await instance.get('/public/status', { skipAuth: true });

    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers).not.toHaveProperty('authorization');
  });

  it('returns a 401 on a skipAuth request to the caller without refreshing', async () => {
    const { instance } = clientFor(server);

    await expect(instance.get('/items', { skipAuth: true })).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect(server.stats.refreshCalls).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it('carries the new token on every request once a refresh has happened', async () => {
    const { instance, handle } = clientFor(server);
    server.expireAccessTokens();

    await instance.get('/first');
    const next = handle.session.getTokens()!.accessToken;
    await Promise.all([instance.get('/a'), instance.post('/b', { x: 1 })]);

    expect(server.requestsTo('/a').map((request) => request.token)).toEqual([next]);
    expect(server.requestsTo('/b').map((request) => request.token)).toEqual([next]);
    expect(server.stats.refreshCalls).toBe(1);
  });
});
