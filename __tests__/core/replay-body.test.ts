import { Readable } from 'node:stream';
import axios, { AxiosHeaders, type AxiosRequestConfig } from 'axios';
import {
  attachBearerAuth,
  ErrorCode,
  isNotReplayableError,
  NotReplayableError,
} from '../../src/index.js';
import {
  BASE_URL,
  flush,
  NEW_ACCESS,
  newInstance,
  OLD_ACCESS,
  settle,
  tokenOf,
} from './helpers.js';

function setup() {
  const { instance, mock } = newInstance();
  const refresh = jest.fn(async () => ({ accessToken: NEW_ACCESS }));
  const onReplay = jest.fn();
  attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh, onReplay });
  // Refuse the old token, accept the new one, on any method and path.
  mock.onAny().reply((config) => (tokenOf(config) === NEW_ACCESS ? [200, 'done'] : [401]));
  return { instance, mock, refresh, onReplay };
}

/** The bytes a config's (already transformed) body would put on the wire. */
function bytesOf(data: unknown): Buffer | unknown {
  if (typeof data === 'string') return Buffer.from(data);
  if (Buffer.isBuffer(data)) return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
  if (data instanceof FormData) {
    const entries: Array<[string, string]> = [];
    data.forEach((value, key) => entries.push([key, String(value)]));
    return entries;
  }
  return data;
}

function headersWithoutAuth(config: AxiosRequestConfig) {
  const headers = AxiosHeaders.from(config.headers as AxiosHeaders).toJSON() as Record<
    string,
    unknown
  >;
  delete headers['Authorization'];
  return headers;
}

/** Asserts that the mock saw the request twice, identical but for the token. */
function expectFaithfulReplay(history: AxiosRequestConfig[]) {
  expect(history).toHaveLength(2);
  const [original, replay] = history as [AxiosRequestConfig, AxiosRequestConfig];
  expect(tokenOf(original)).toBe(OLD_ACCESS);
  expect(tokenOf(replay)).toBe(NEW_ACCESS);
  expect(replay.method).toBe(original.method);
  expect(replay.url).toBe(original.url);
  expect(replay.baseURL).toBe(original.baseURL);
  expect(axios.getUri(replay)).toBe(axios.getUri(original));
  expect(replay.params).toEqual(original.params);
  expect(headersWithoutAuth(replay)).toEqual(headersWithoutAuth(original));
  expect(bytesOf(replay.data)).toEqual(bytesOf(original.data));
  return { original, replay };
}

describe('a replay is the original request but for its token', () => {
  const bodies: Array<[string, () => unknown, Buffer, string | undefined]> = [
    [
      'a JSON object',
      () => ({ name: 'Zoë', n: [1, 2] }),
      Buffer.from('{"name":"Zoë","n":[1,2]}'),
      'application/json',
    ],
    ['a string', () => 'plain text body', Buffer.from('plain text body'), undefined],
    [
      'URLSearchParams',
      () => new URLSearchParams({ a: '1', b: 'x y' }),
      Buffer.from('a=1&b=x+y'),
      'application/x-www-form-urlencoded;charset=utf-8',
    ],
    [
      'a Buffer',
      () => Buffer.from([0, 1, 2, 254, 255]),
      Buffer.from([0, 1, 2, 254, 255]),
      undefined,
    ],
    [
      'an ArrayBuffer',
      () => new Uint8Array([104, 105, 0, 255]).buffer,
      Buffer.from([104, 105, 0, 255]),
      undefined,
    ],
  ];

  it.each(bodies)('for %s body', async (_title, makeBody, expectedBytes, contentType) => {
    const t = setup();

    const response = await t.instance.post('/upload', makeBody(), {
      params: { page: 2, q: 'a b' },
      headers: { 'X-Trace': 'trace-1', 'X-Multi': 'one' },
    });

    expect(response.data).toBe('done');
    const { replay } = expectFaithfulReplay(t.mock.history);
    expect(replay.method).toBe('post');
    expect(axios.getUri(replay)).toBe(`${BASE_URL}/upload?page=2&q=a+b`);
    expect(bytesOf(replay.data)).toEqual(expectedBytes);
    expect(headersWithoutAuth(replay)).toMatchObject({ 'X-Trace': 'trace-1', 'X-Multi': 'one' });
    if (contentType) expect(headersWithoutAuth(replay)['Content-Type']).toBe(contentType);
    expect(t.refresh).toHaveBeenCalledTimes(1);
  });

  it('for a FormData body, which is sent again as the same form', async () => {
    const t = setup();
    const form = new FormData();
    form.append('field', 'value');
    form.append('file', new Blob([Buffer.from('file bytes')]), 'a.txt');

    await t.instance.put('/form', form, { headers: { 'X-Trace': 't' } });

    const { original, replay } = expectFaithfulReplay(t.mock.history);
    expect(original.data).toBe(form);
    expect(replay.data).toBe(form);
    expect(replay.method).toBe('put');
  });

  it.each(['get', 'delete', 'head', 'options'] as const)(
    'for a %s request with params',
    async (method) => {
      const t = setup();

      await t.instance.request({ method, url: '/thing/7', params: { expand: 'all' } });

      const { replay } = expectFaithfulReplay(t.mock.history);
      expect(replay.method).toBe(method);
      expect(axios.getUri(replay)).toBe(`${BASE_URL}/thing/7?expand=all`);
    },
  );

  it('applies a per-request baseURL once', async () => {
    const t = setup();

    await t.instance.patch('/v', { a: 1 }, { baseURL: 'http://127.0.0.1:9/other' });

    const { replay } = expectFaithfulReplay(t.mock.history);
    expect(axios.getUri(replay)).toBe('http://127.0.0.1:9/other/v');
  });

  it('sends an absolute URL on the baseURL origin to the same URL again', async () => {
    const t = setup();

    await t.instance.get('http://127.0.0.1:9/api/abs', { params: { z: 1 } });

    const { replay } = expectFaithfulReplay(t.mock.history);
    expect(axios.getUri(replay)).toBe('http://127.0.0.1:9/api/abs?z=1');
  });

  it('reports the replay in onReplay with method and URL without query, no token', async () => {
    const t = setup();

    await t.instance.post('/upload', 'x', { params: { secret: 's3' } });

    expect(t.onReplay).toHaveBeenCalledTimes(1);
    const event = t.onReplay.mock.calls[0]![0] as { method: string; url: string };
    expect(event).toMatchObject({ method: 'POST', url: `${BASE_URL}/upload` });
    expect(JSON.stringify(event)).not.toContain(NEW_ACCESS);
    expect(JSON.stringify(event)).not.toContain(OLD_ACCESS);
  });
});

describe('a body that can be read only once', () => {
  it('fails a refused request with a Node stream body with NotReplayableError, without hanging', async () => {
    const t = setup();
    const body = Readable.from([Buffer.from('chunk-1'), Buffer.from('chunk-2')]);

    const outcome = settle(t.instance.post('/stream', body));
    await flush();
    const settled = await Promise.race([outcome, Promise.resolve('pending' as const)]);

    expect(settled).toMatchObject({ status: 'rejected' });
    const reason = (settled as { reason: unknown }).reason;
    expect(reason).toBeInstanceOf(NotReplayableError);
    expect(isNotReplayableError(reason)).toBe(true);
    expect(reason).toMatchObject({ name: 'NotReplayableError', code: ErrorCode.NOT_REPLAYABLE });
    expect((reason as Error).message).toMatch(/stream/i);
    // Not replayed with an empty body.
    expect(t.mock.history).toHaveLength(1);
    expect(t.onReplay).not.toHaveBeenCalled();
    // The refresh happened, so a new request with a new body goes through with the new token.
    expect(t.refresh).toHaveBeenCalledTimes(1);
    await expect(t.instance.post('/stream', Readable.from(['again']))).resolves.toMatchObject({
      data: 'done',
    });
    expect(tokenOf(t.mock.history.at(-1)!)).toBe(NEW_ACCESS);
  });

  it.each<[string, () => unknown, string]>([
    [
      'a Node stream',
      () => Readable.from(['chunk']),
      'Refused request not replayed: its body (a Node.js stream) can be read only once. The ' +
        'token is refreshed; send the request again with a new body.',
    ],
    [
      'a web ReadableStream',
      () => new ReadableStream({ start: (controller) => controller.close() }),
      'Refused request not replayed: its body (a ReadableStream) can be read only once. The ' +
        'token is refreshed; send the request again with a new body.',
    ],
    [
      'an async iterable',
      () =>
        (async function* chunks() {
          yield 'chunk';
        })(),
      'Refused request not replayed: its body (an async iterable) can be read only once. The ' +
        'token is refreshed; send the request again with a new body.',
    ],
  ])('names %s in the NotReplayableError message', async (_title, makeBody, message) => {
    const t = setup();

    // A transformRequest that passes the body through, as for a streaming upload.
    const outcome = await settle(
      t.instance.post('/stream', makeBody(), { transformRequest: [(data: unknown) => data] }),
    );

    expect(outcome).toMatchObject({ status: 'rejected' });
    expect((outcome as { reason: unknown }).reason).toMatchObject({
      name: 'NotReplayableError',
      message,
    });
    expect(t.mock.history).toHaveLength(1);
    expect(t.refresh).toHaveBeenCalledTimes(1);
  });

  it('replays a request whose body is null', async () => {
    const t = setup();

    await expect(
      t.instance.post('/empty', null, { transformRequest: [(data: unknown) => data] }),
    ).resolves.toMatchObject({ data: 'done' });

    expect(t.mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
    expect(t.mock.history[1]!.data).toBeNull();
  });

  it('sends a stream body once when the token is accepted', async () => {
    const t = setup();
    await t.instance.get('/warm-up');
    t.mock.resetHistory();

    await t.instance.post('/stream', Readable.from(['once']));

    expect(t.mock.history).toHaveLength(1);
  });
});
