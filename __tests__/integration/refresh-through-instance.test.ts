import axios from 'axios';
import { Agent } from 'node:http';
import { attachBearerAuth } from '../../src/index.js';
import { refreshFrom, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let agent: Agent;

beforeEach(async () => {
  server = await startTestServer();
  agent = new Agent({ keepAlive: true, maxSockets: 50 });
});

afterEach(async () => {
  agent.destroy();
  await server.close();
});

describe('a refresh function that calls the same instance', () => {
  it('works when its token request passes skipAuth: no header on it, one refresh, replays succeed', async () => {
    const instance = axios.create({ baseURL: server.origin, httpAgent: agent, proxy: false });
    const { session } = attachBearerAuth(instance, {
      tokens: server.login(),
      refresh: refreshFrom(server, instance),
    });
    server.expireAccessTokens();

    const responses = await Promise.all([instance.get('/a'), instance.post('/b', { b: 1 })]);

    const fresh = session.getTokens()!.accessToken;
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(server.stats.refreshCalls).toBe(1);
    const [tokenCall] = server.requests.filter((request) => request.endpoint === 'token');
    expect(tokenCall!.headers).not.toHaveProperty('authorization');
    expect(tokenCall!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(server.requestsTo('/a').at(-1)!.token).toBe(fresh);
    expect(server.requestsTo('/b').at(-1)!.token).toBe(fresh);
  });
});
