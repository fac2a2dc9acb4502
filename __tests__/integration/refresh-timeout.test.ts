import { isRefreshTimeoutError, RefreshTimeoutError } from '../../src/index.js';
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

describe('a token endpoint that never answers', () => {
  // Real time, but nothing depends on it being tight: the token endpoint hangs for ever, so the
  // only way these requests can settle is the refresh timeout; /b and /c are queued behind the
  // refresh as soon as the token request has arrived, well within the second.
  it('rejects every waiting request with RefreshTimeoutError, and the next refusal starts a new refresh', async () => {
    const onRefreshFailed = jest.fn();
    const { instance, handle } = clientFor(server, { refreshTimeout: 1000, onRefreshFailed });
    const held = handle.session.getTokens();
    server.expireAccessTokens();
    server.setTokenOutcome('hang');
    const tokenCall = server.hold((request) => request.endpoint === 'token');

    const first = instance.get('/a');
    await tokenCall.arrived;
    tokenCall.release();
    const errors = await Promise.all(
      [first, instance.get('/b'), instance.post('/c', { c: 1 })].map((request) =>
        request.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );

    expect(errors[0]).toBeInstanceOf(RefreshTimeoutError);
    expect(isRefreshTimeoutError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ code: 'ERR_REFRESH_TIMEOUT', timeout: 1000 });
    expect(errors.every((error) => error === errors[0])).toBe(true);
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(handle.session.getTokens()).toEqual(held);
    expect(server.stats.refreshCalls).toBe(1);

    server.setTokenOutcome('ok');
    const response = await instance.get('/after');

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(2);
  });
});
