import axios, {
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosRequestConfig,
  type InternalAxiosRequestConfig,
} from 'axios';
import { attachBearerAuth } from '../../src/index.js';
import { BASE_URL, NEW_ACCESS, OLD_ACCESS } from './helpers.js';

/**
 * Which Content-Type a FormData request leaves the interceptors with, for the adapter the request
 * names. Axios's Node http adapter draws a new multipart boundary for every send unless the
 * Content-Type names one, so the library pins one there (the replay then sends the same bytes);
 * fetch and XMLHttpRequest write their own boundary, and a pinned one would contradict the body.
 * An interceptor added before attaching runs after ours: it records the request as the adapter
 * would get it and answers it itself, so nothing is sent.
 */
async function contentTypeSent(
  adapter: AxiosRequestConfig['adapter'],
  config: AxiosRequestConfig = {},
): Promise<unknown> {
  const instance = axios.create(
    adapter === undefined ? { baseURL: BASE_URL } : { baseURL: BASE_URL, adapter },
  );
  let seen: InternalAxiosRequestConfig | undefined;
  const answer: AxiosAdapter = async (sent) => ({
    data: 'ok',
    status: 200,
    statusText: 'OK',
    headers: {},
    config: sent,
  });
  instance.interceptors.request.use((sending) => {
    seen = sending;
    return { ...sending, adapter: answer };
  });
  attachBearerAuth(instance, {
    tokens: { accessToken: OLD_ACCESS },
    refresh: async () => ({ accessToken: NEW_ACCESS }),
  });
  const form = new FormData();
  form.append('field', 'value');
  await instance.post('/upload', form, config);
  expect(seen).toBeDefined();
  return AxiosHeaders.from(seen!.headers).getContentType();
}

const PINNED = /^multipart\/form-data; boundary=abr-[a-z\d]{20}$/;

describe('a FormData body keeps one multipart boundary for its send and its replay', () => {
  it.each<[string, AxiosRequestConfig['adapter']]>([
    ["'http'", 'http'],
    ["['http']", ['http']],
    ["['xhr', 'http'] in Node, where there is no XMLHttpRequest", ['xhr', 'http']],
    ["axios's default list", undefined],
  ])('pins a boundary for the Node http adapter: adapter %s', async (_title, adapter) => {
    expect(await contentTypeSent(adapter)).toMatch(PINNED);
  });

  it.each<[string, AxiosRequestConfig['adapter']]>([
    ["'fetch'", 'fetch'],
    ["['fetch', 'http']", ['fetch', 'http']],
    ['an adapter function', async () => ({}) as never],
  ])('leaves the Content-Type to the adapter for adapter %s', async (_title, adapter) => {
    const type = await contentTypeSent(adapter);
    expect(String(type)).not.toMatch(/boundary/);
  });

  it("leaves it to XMLHttpRequest where there is one: adapter ['xhr', 'http']", async () => {
    const runtime = globalThis as { XMLHttpRequest?: unknown };
    runtime.XMLHttpRequest = class {};
    try {
      const type = await contentTypeSent(['xhr', 'http']);
      expect(String(type)).not.toMatch(/boundary/);
    } finally {
      delete runtime.XMLHttpRequest;
    }
  });

  it.each<[string, unknown]>([
    ['multipart/form-data', 'multipart/form-data'],
    ['multipart/form-data with a parameter', 'multipart/form-data; charset=utf-8'],
    ['multipart/form-data with space before the parameter', 'Multipart/Form-Data ;charset=utf-8'],
    ['null (no Content-Type)', null],
  ])('pins one when the request names Content-Type %s without a boundary', async (_title, type) => {
    const sent = await contentTypeSent('http', { headers: { 'Content-Type': type as string } });
    expect(sent).toMatch(PINNED);
  });

  it.each<[string, unknown, unknown]>([
    [
      'a boundary of its own',
      'multipart/form-data; boundary=mine',
      'multipart/form-data; boundary=mine',
    ],
    [
      'another media type',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
    ],
    [
      'a media type that only contains multipart/form-data',
      'application/x.multipart/form-data',
      'application/x.multipart/form-data',
    ],
    ['false, which tells axios to set none', false, false],
  ])('keeps a Content-Type with %s', async (_title, type, expected) => {
    const sent = await contentTypeSent('http', { headers: { 'Content-Type': type as string } });
    expect(sent).toBe(expected);
  });

  it('draws a boundary of 20 characters even when Math.random gives few digits', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(await contentTypeSent('http')).toBe(
        'multipart/form-data; boundary=abr-i000000000i000000000',
      );
    } finally {
      random.mockRestore();
    }
  });
});
