/**
 * Ways the token once escaped the trust policy, found by review and fixed in 141e1b2: each test
 * reproduces one, against real servers on 127.0.0.1 (and axios 1.7.9 where it differed).
 */
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import axiosOldest from 'axios-oldest';
import type { AxiosInstance } from 'axios';
import { attachBearerAuth, createAuthSession } from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  startRecordingServer,
  tokenOf,
  type RecordingServer,
} from './support.js';

let trusted: RecordingServer;
let other: RecordingServer;

beforeEach(async () => {
  other = await startRecordingServer((request, res) => {
    const status = request.url === '/refuse' ? 401 : 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  trusted = await startRecordingServer((request, res) => {
    if (request.url === '/to-subdomain') {
      res.writeHead(302, { location: `http://sub.localhost:${trusted.port}/landing` }).end();
    } else if (request.url === '/landing') {
      res.writeHead(200).end('{}');
    } else {
      res.writeHead(302, { location: `${other.origin}${request.url}` }).end();
    }
  });
});
afterEach(async () => {
  await trusted.close();
  await other.close();
});

function session() {
  const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
  return { refresh, session: createAuthSession({ refresh, tokens: { accessToken: ACCESS_1 } }) };
}

it('does not forward a custom token header across a redirect to another origin', async () => {
  const api = axios.create({ baseURL: trusted.origin, proxy: false });
  attachBearerAuth(api, session().session, { headerName: 'X-Access-Token' });

  await api.get('/landing-elsewhere');

  expect(trusted.received[0]!.headers['x-access-token']).toBe(`Bearer ${ACCESS_1}`);
  expect(other.received[0]!.headers['x-access-token']).toBeUndefined();
});

it('does not forward the token to a subdomain of the trusted host on redirect (axios 1.7.9)', async () => {
  // Every name resolves to 127.0.0.1: nothing leaves the machine.
  const lookup = ((_host: string, _options: unknown, callback: (...args: unknown[]) => void) =>
    callback(null, '127.0.0.1', 4)) as unknown as NonNullable<
    import('axios').AxiosRequestConfig['lookup']
  >;
  const api = axiosOldest.create({
    baseURL: `http://localhost:${trusted.port}`,
    proxy: false,
    lookup,
  }) as unknown as AxiosInstance;
  attachBearerAuth(api, session().session);

  await api.get('/to-subdomain');

  const landing = trusted.received.find((request) => request.url === '/landing')!;
  expect(landing.headers.host).toBe(`sub.localhost:${trusted.port}`);
  expect(landing.headers.authorization).toBeUndefined();
});

it('starts no refresh for a 401 answered by the untrusted origin a redirect led to', async () => {
  const { refresh, session: shared } = session();
  const api = axios.create({ baseURL: trusted.origin, proxy: false });
  attachBearerAuth(api, shared);

  await expect(api.get('/refuse')).rejects.toMatchObject({ response: { status: 401 } });

  expect(refresh).not.toHaveBeenCalled();
  expect(other.received).toHaveLength(1);
});

it('sends no token to a per-request baseURL with leading whitespace, which Node parses as absolute', async () => {
  const api = axios.create({ baseURL: trusted.origin, proxy: false });
  attachBearerAuth(api, session().session);

  await api.get('/direct', { baseURL: ` ${other.origin}` });

  expect(other.received[0]!.url).toBe('/direct');
  expect(other.received[0]!.headers.authorization).toBeUndefined();
});

it.each([' https://evil.example/me', '\thttps://evil.example/me', '\nhttps://evil.example/me'])(
  'sends no token to %j on an instance without baseURL (the URL parser strips the whitespace)',
  async (url) => {
    expect(new URL(url).origin).toBe('https://evil.example');
    const instance = axios.create();
    const mock = new MockAdapter(instance, { onNoMatch: 'throwException' });
    attachBearerAuth(instance, session().session);
    const sent: Array<string | undefined> = [];
    mock.onAny().reply((config) => (sent.push(tokenOf(config)), [200, {}]));

    await instance.get(url);

    expect(sent).toEqual([undefined]);
  },
);
