import type { AxiosRequestConfig } from 'axios';
import { Readable } from 'node:stream';
import { isNotReplayableError, NotReplayableError } from '../../src/index.js';
import { startTestServer, type RecordedRequest, type TestServer } from '../helpers/test-server.js';
import { clientFor, destroyAgents } from './client.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  destroyAgents();
  await server.close();
});

/** Path and query every case is sent to: baseURL `/v1` + url `/items/7` + params. */
const EXPECTED_URL = '/v1/items/7?q=a+b&n=1';

/**
 * Sends `config` through an instance whose baseURL has a path, with an access token the server
 * has expired: the first attempt is refused, the replay answered. Returns both as recorded.
 */
async function refusedThenReplayed(config: AxiosRequestConfig) {
  const { instance, handle } = clientFor(server, {}, { baseURL: `${server.origin}/v1` });
  const expired = handle.session.getTokens()!.accessToken;
  server.expireAccessTokens();

  const response = await instance.request({
    url: '/items/7',
    params: { q: 'a b', n: 1 },
    headers: { 'X-Trace': 'trace-42', 'X-Empty': '' },
    ...config,
  });

  const fresh = handle.session.getTokens()!.accessToken;
  expect(response.status).toBe(200);
  expect(server.stats.refreshCalls).toBe(1);
  const attempts = server.requests.filter((request) => request.endpoint === 'api');
  expect(attempts.map((request) => [request.token, request.status])).toEqual([
    [expired, 401],
    [fresh, 200],
  ]);
  return { first: attempts[0]!, replay: attempts[1]! };
}

/** Everything but the Authorization header must be the same on the replay. */
function expectSameRequest(first: RecordedRequest, replay: RecordedRequest) {
  expect(replay.method).toBe(first.method);
  expect(replay.url).toBe(EXPECTED_URL);
  expect(first.url).toBe(EXPECTED_URL);
  expect(replay.contentType).toBe(first.contentType);
  expect(replay.body.equals(first.body)).toBe(true);
  const withoutToken = (request: RecordedRequest) =>
    Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name !== 'authorization'),
    );
  expect(withoutToken(replay)).toEqual(withoutToken(first));
  expect(Object.keys(withoutToken(first)).length).toBeGreaterThan(3);
  expect(replay.headers['x-trace']).toBe('trace-42');
}

describe('a replayed request is the refused one, byte for byte, but for its token', () => {
  it('keeps method, full URL (baseURL applied once), params and custom headers of a GET', async () => {
    const { first, replay } = await refusedThenReplayed({ method: 'GET' });

    expectSameRequest(first, replay);
    expect(replay.method).toBe('GET');
    expect(replay.body).toHaveLength(0);
  });

  it('replays a POST with a JSON object body unchanged', async () => {
    const data = { a: 1, nested: { list: [1, 'two', null] }, text: 'é ✓' };

    const { first, replay } = await refusedThenReplayed({ method: 'POST', data });

    expectSameRequest(first, replay);
    expect(replay.method).toBe('POST');
    expect(replay.body.toString('utf8')).toBe(JSON.stringify(data));
    expect(replay.contentType).toBe('application/json');
  });

  it('replays a PUT with a text body and its explicit content type unchanged', async () => {
    const data = '  plain text ✓ with spaces  ';

    const { first, replay } = await refusedThenReplayed({
      method: 'PUT',
      data,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Trace': 'trace-42' },
    });

    expectSameRequest(first, replay);
    expect(replay.body.toString('utf8')).toBe(data);
    expect(replay.contentType).toBe('text/plain; charset=utf-8');
  });

  it('replays a PATCH with a string body that looks like JSON unchanged', async () => {
    const data = '{"already":"serialised"}';

    const { first, replay } = await refusedThenReplayed({ method: 'PATCH', data });

    expectSameRequest(first, replay);
    expect(replay.body.toString('utf8')).toBe(data);
  });

  it('replays a POST with a URLSearchParams body unchanged', async () => {
    const data = new URLSearchParams({ a: '1', b: 'x y', c: 'é&=' });

    const { first, replay } = await refusedThenReplayed({ method: 'POST', data });

    expectSameRequest(first, replay);
    expect(replay.body.toString('utf8')).toBe(data.toString());
    expect(replay.contentType).toBe('application/x-www-form-urlencoded;charset=utf-8');
  });

  it('replays a POST with an ArrayBuffer body unchanged', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, 0x0a, 0x0d]);

    const { first, replay } = await refusedThenReplayed({
      method: 'POST',
      data: bytes.buffer,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Trace': 'trace-42' },
    });

    expectSameRequest(first, replay);
    expect([...replay.body]).toEqual([...bytes]);
    expect(replay.contentType).toBe('application/octet-stream');
  });

  it('replays a PUT with a Buffer body unchanged', async () => {
    const data = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]);

    const { first, replay } = await refusedThenReplayed({ method: 'PUT', data });

    expectSameRequest(first, replay);
    expect(replay.body.equals(data)).toBe(true);
  });

  it('replays a POST with a FormData body with the same parts, fields and file bytes', async () => {
    const data = new FormData();
    data.append('field', 'value ✓');
    const file = Uint8Array.from([1, 2, 3, 250, 0x0d, 0x0a]);
    data.append('file', new Blob([file], { type: 'image/png' }), 'a.png');

    const { first, replay } = await refusedThenReplayed({ method: 'POST', data });

    // axios's Node adapter would draw a new boundary for the replay; the library pins one on the
    // first send, so the replay is the same bytes under the same Content-Type.
    expectSameRequest(first, replay);
    expect(first.contentType).toMatch(/^multipart\/form-data; boundary=[-\w]{10,70}$/);
    expect(first.body.toString('utf8')).toContain('name="field"\r\n\r\nvalue ✓\r\n');
    expect(first.body.includes(Buffer.concat([Buffer.from('\r\n\r\n'), file]))).toBe(true);
    expect(replay.method).toBe('POST');
    expect(replay.url).toBe(EXPECTED_URL);
    expect(replay.headers['x-trace']).toBe('trace-42');
    expect(replay.headers['content-length']).toBe(first.headers['content-length']);
  });
});

describe('a refused request whose body is a Node stream', () => {
  it('rejects with NotReplayableError and sends no empty replay', async () => {
    const onReplay = jest.fn();
    const { instance } = clientFor(server, { onReplay }, { baseURL: `${server.origin}/v1` });
    server.expireAccessTokens();

    const error: unknown = await instance
      .post('/upload', Readable.from([Buffer.from('chunk-1;'), Buffer.from('chunk-2')]), {
        headers: { 'Content-Type': 'application/octet-stream' },
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NotReplayableError);
    expect(isNotReplayableError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_NOT_REPLAYABLE', name: 'NotReplayableError' });
    expect((error as Error).message).toMatch(/stream/);
    expect(onReplay).not.toHaveBeenCalled();
    const attempts = server.requestsTo('/v1/upload');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.status).toBe(401);
    expect(attempts[0]!.body.toString()).toBe('chunk-1;chunk-2');
    expect(server.stats.refreshCalls).toBe(1);
  });
});
