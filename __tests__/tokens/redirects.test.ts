/**
 * A redirect from the trusted origin to another one must not carry the token; one within trusted
 * origins keeps it. Two real servers on 127.0.0.1, different ports (so different origins): the
 * trusted one redirects (`/redirect/<status>` to the other, `/stay` to its own `/landing`), the
 * other records the headers it receives.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import { attachBearerAuth, createAuthSession, type AttachOptions } from '../../src/index.js';
import { ACCESS_1, ACCESS_2, startRecordingServer, type RecordingServer } from './support.js';

let trusted: RecordingServer;
let other: RecordingServer;

beforeEach(async () => {
  other = await startRecordingServer();
  trusted = await startRecordingServer((request, res) => {
    if (request.url === '/landing') return void res.writeHead(200).end('{}');
    if (request.url === '/stay') {
      return void res.writeHead(302, { location: `${trusted.origin}/landing` }).end();
    }
    const status = Number(/^\/redirect\/(\d{3})$/.exec(request.url)?.[1] ?? 404);
    res.writeHead(status, { location: `${other.origin}/landing` }).end();
  });
});
afterEach(async () => {
  await trusted.close();
  await other.close();
});

function client(attachOptions: AttachOptions = {}, config: AxiosRequestConfig = {}) {
  const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
  const session = createAuthSession({ refresh, tokens: { accessToken: ACCESS_1 } });
  const api = axios.create({ baseURL: trusted.origin, proxy: false, maxRedirects: 3, ...config });
  attachBearerAuth(api, session, attachOptions);
  return { api, refresh };
}

it.each([
  ['GET', 302],
  ['GET', 301],
  ['POST', 303],
  ['POST', 307],
  ['PUT', 308],
])(
  'a %s answered %i by the trusted origin reaches the other origin without the token',
  async (method, status) => {
    const { api } = client();

    const response = await api.request({ method, url: `/redirect/${status}`, data: { a: 1 } });

    expect(response.status).toBe(200);
    expect(trusted.received.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${ACCESS_1}`,
    ]);
    expect(other.received).toHaveLength(1);
    expect(other.received[0]!.url).toBe('/landing');
    expect(other.received[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(other.received[0]!.headers)).not.toContain(ACCESS_1);
  },
);

it('sends the other origin no token when asked for it directly either', async () => {
  const { api, refresh } = client();
  await api.get(`${other.origin}/direct`);
  expect(other.received[0]!.headers.authorization).toBeUndefined();
  expect(refresh).not.toHaveBeenCalled();
});

it('keeps the token on a redirect within the trusted origin', async () => {
  const { api } = client();

  await api.get('/stay');

  expect(trusted.received.map((request) => [request.url, request.headers.authorization])).toEqual([
    ['/stay', `Bearer ${ACCESS_1}`],
    ['/landing', `Bearer ${ACCESS_1}`],
  ]);
});

// follow-redirects drops only Authorization, and only on some hops: a custom header shows what
// this library decides.
it('keeps a custom token header on a redirect to an origin listed in trustedOrigins', async () => {
  const { api } = client({ headerName: 'X-Access-Token', trustedOrigins: [other.origin] });

  await api.get('/redirect/302');

  expect(other.received[0]!.headers['x-access-token']).toBe(`Bearer ${ACCESS_1}`);
});

it("runs the user's own beforeRedirect, then still removes the token for an untrusted origin", async () => {
  const seen: string[] = [];
  const beforeRedirect = (options: Record<string, unknown>) => {
    seen.push(String(options['href']));
    (options['headers'] as Record<string, string>)['x-hop'] = 'marked';
  };
  const { api } = client({ headerName: 'X-Access-Token' }, { beforeRedirect });

  await api.get('/redirect/302');

  expect(seen).toEqual([`${other.origin}/landing`]);
  expect(other.received[0]!.headers['x-hop']).toBe('marked');
  expect(other.received[0]!.headers['x-access-token']).toBeUndefined();
  expect(trusted.received[0]!.headers['x-access-token']).toBe(`Bearer ${ACCESS_1}`);
});
