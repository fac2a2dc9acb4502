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

describe('a request sent while a refresh is in flight', () => {
  it('waits for the refresh and goes out once, with the new token', async () => {
    const { instance, handle } = clientFor(server);
    const expired = handle.session.getTokens()!.accessToken;
    server.expireAccessTokens();
    const tokenCall = server.hold((request) => request.endpoint === 'token');

    const refused = instance.get('/first');
    await tokenCall.arrived;
    const waiting = [instance.get('/waiting'), instance.post('/waiting-post', { a: 1 })];
    tokenCall.release();
    const [first, ...rest] = await Promise.all([refused, ...waiting]);

    const fresh = handle.session.getTokens()!.accessToken;
    expect(fresh).not.toBe(expired);
    expect(server.stats.refreshCalls).toBe(1);
    expect(first.status).toBe(200);
    expect(rest.map((response) => response.status)).toEqual([200, 200]);
    expect(server.requestsTo('/waiting').map((request) => [request.token, request.status])).toEqual(
      [[fresh, 200]],
    );
    expect(
      server.requestsTo('/waiting-post').map((request) => [request.token, request.status]),
    ).toEqual([[fresh, 200]]);
    expect(server.requestsTo('/waiting-post')[0]!.body.toString()).toBe('{"a":1}');
    expect(server.stats.refusals).toBe(1);
  });
});

describe('a refresh started by an interceptor that runs just before ours', () => {
  it('makes the request wait for it, though the interceptor chain is synchronous', async () => {
    const { instance, handle } = clientFor(server);
    const old = handle.session.getTokens()!.accessToken;
    // Synchronous and registered after attaching: axios has chosen our interceptor (the token
    // could go out at once) before this runs, and runs ours right after it, in the same tick.
    instance.interceptors.request.use(
      (config) => {
        if (config.url === '/signed') void handle.session.refresh();
        return config;
      },
      undefined,
      { synchronous: true },
    );

    const response = await instance.post('/signed', { a: 1 });

    const fresh = handle.session.getTokens()!.accessToken;
    expect(fresh).not.toBe(old);
    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(1);
    expect(server.requestsTo('/signed').map((request) => request.token)).toEqual([fresh]);
    expect(server.requestsTo('/signed')[0]!.body.toString()).toBe('{"a":1}');
  });
});

describe('a FormData request that waited for a refresh started just before our interceptor', () => {
  it('is replayed byte for byte after a refusal, under the same multipart boundary', async () => {
    const { instance, handle } = clientFor(server);
    let started = false;
    instance.interceptors.request.use(
      (config) => {
        if (!started) {
          started = true;
          void handle.session.refresh();
        }
        return config;
      },
      undefined,
      { synchronous: true },
    );
    // The first attempt (which waited for that refresh) is refused: its token expires meanwhile.
    const firstAttempt = server.hold((request) => request.url === '/upload');
    const data = new FormData();
    data.append('field', 'value ✓');
    data.append('file', new Blob([Uint8Array.from([1, 2, 3, 250])]), 'a.bin');

    const outcome = instance.post('/upload', data);
    await firstAttempt.arrived;
    server.expireAccessTokens();
    firstAttempt.release();
    const response = await outcome;

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(2);
    const [first, replay] = server.requestsTo('/upload');
    expect([first!.status, replay!.status]).toEqual([401, 200]);
    expect(first!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(replay!.contentType).toBe(first!.contentType);
    expect(replay!.body.equals(first!.body)).toBe(true);
  });
});
