import axios, { CanceledError } from 'axios';
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

describe('a request aborted while it waits for the refresh', () => {
  it('rejects at once with CanceledError, is never replayed, and the others still succeed', async () => {
    const onReplay = jest.fn();
    const { instance, handle } = clientFor(server, { onReplay });
    const expired = handle.session.getTokens()!.accessToken;
    server.expireAccessTokens();
    const tokenCall = server.hold((request) => request.endpoint === 'token');

    // Refused, so it waits in the response interceptor.
    const refusedController = new AbortController();
    const refused = instance.get('/refused-then-aborted', { signal: refusedController.signal });
    const other = instance.get('/other');
    await tokenCall.arrived;
    // Sent during the refresh, so it waits in the request interceptor.
    const queuedController = new AbortController();
    const queued = instance.post(
      '/queued-then-aborted',
      { q: 1 },
      {
        signal: queuedController.signal,
      },
    );
    const queuedOther = instance.get('/queued-other');

    refusedController.abort();
    queuedController.abort();
    // Both reject while the refresh is still held: they did not wait for it.
    const refusedError: unknown = await refused.catch((e: unknown) => e);
    const queuedError: unknown = await queued.catch((e: unknown) => e);
    tokenCall.release();
    const results = await Promise.all([other, queuedOther]);

    for (const error of [refusedError, queuedError]) {
      expect(error).toBeInstanceOf(CanceledError);
      expect(axios.isCancel(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ERR_CANCELED' });
    }
    const fresh = handle.session.getTokens()!.accessToken;
    expect(results.map((response) => response.status)).toEqual([200, 200]);
    expect(server.stats.refreshCalls).toBe(1);
    expect(onReplay).toHaveBeenCalledTimes(1);
    expect(
      server.requestsTo('/refused-then-aborted').map((request) => [request.token, request.status]),
    ).toEqual([[expired, 401]]);
    expect(server.requestsTo('/queued-then-aborted')).toEqual([]);
    expect(server.requestsTo('/other').map((request) => request.token)).toEqual([expired, fresh]);
    expect(server.requestsTo('/queued-other').map((request) => request.token)).toEqual([fresh]);
  });

  it('does not cancel the refresh when the request that started it is aborted', async () => {
    const { instance, handle } = clientFor(server);
    server.expireAccessTokens();
    const tokenCall = server.hold((request) => request.endpoint === 'token');
    const controller = new AbortController();

    const starter = instance.get('/starter', { signal: controller.signal });
    await tokenCall.arrived;
    const follower = instance.get('/follower');
    controller.abort();
    await expect(starter).rejects.toBeInstanceOf(CanceledError);
    tokenCall.release();
    const response = await follower;

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.requestsTo('/follower').map((request) => request.token)).toEqual([
      handle.session.getTokens()!.accessToken,
    ]);
    expect(server.requestsTo('/starter')).toHaveLength(1);
  });
});
