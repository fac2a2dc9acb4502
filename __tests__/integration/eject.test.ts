import axios from 'axios';
import { attachBearerAuth } from '../../src/index.js';
import { refreshFrom, startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientFor, destroyAgents } from './client.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  destroyAgents();
  await server.close();
});

describe('eject()', () => {
  it('removes exactly its own interceptors: others keep running, no header, no refresh', async () => {
    const { instance, handle } = clientFor(server);
    const seen: number[] = [];
    instance.interceptors.request.use((config) => {
      config.headers.set('X-Other', 'still-here');
      return config;
    });
    instance.interceptors.response.use(
      (response) => {
        seen.push(response.status);
        return response;
      },
      (error: { response?: { status: number } }) => {
        seen.push(error.response?.status ?? 0);
        return Promise.reject(error);
      },
    );

    handle.eject();
    const ok = await instance.get('/public/ping');
    const refused = await instance.get('/items').catch((e: unknown) => e);

    expect(ok.status).toBe(200);
    expect(refused).toMatchObject({ response: { status: 401 } });
    expect(seen).toEqual([200, 401]);
    expect(server.requests.map((request) => request.headers['x-other'])).toEqual([
      'still-here',
      'still-here',
    ]);
    expect(server.requests.every((request) => request.token === undefined)).toBe(true);
    expect(server.stats.refreshCalls).toBe(0);
  });

  it('no longer replays a refused request, even one carrying a bearer header of its own', async () => {
    const { instance, handle } = clientFor(server);
    handle.eject();

    const refused = await instance
      .get('/items', { headers: { Authorization: 'Bearer set-by-the-caller' } })
      .catch((e: unknown) => e);

    expect(refused).toMatchObject({ response: { status: 401 } });
    expect(server.requests.map((request) => request.token)).toEqual(['set-by-the-caller']);
    expect(server.stats.refreshCalls).toBe(0);
  });

  it('leaves interceptors added before attaching, after attaching and after ejecting in place, in order', async () => {
    const instance = axios.create({ baseURL: server.origin, proxy: false });
    const order: string[] = [];
    const track = (name: string) =>
      instance.interceptors.request.use((config) => {
        order.push(name);
        return config;
      });
    track('before-attach');
    const handle = attachBearerAuth(instance, {
      tokens: server.login(),
      refresh: refreshFrom(server),
    });
    track('after-attach');
    handle.eject();
    track('after-eject');

    await instance.get('/public/ping');

    // axios runs request interceptors last-added first.
    expect(order).toEqual(['after-eject', 'after-attach', 'before-attach']);
    expect(server.requests[0]!.token).toBeUndefined();
  });

  it('is safe to call twice and lets the library be attached again', async () => {
    const first = clientFor(server);
    first.handle.eject();
    first.handle.eject();

    const login = server.login();
    const again = attachBearerAuth(first.instance, {
      tokens: login,
      refresh: () => Promise.reject(new Error('unused')),
    });
    await first.instance.get('/items');

    expect(again.session.getTokens()!.accessToken).toBe(login.accessToken);
    expect(server.requests.map((request) => request.token)).toEqual([login.accessToken]);
  });
});
