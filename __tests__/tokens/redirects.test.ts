/**
 * A redirect from the trusted origin to another one must not carry the token. Two real servers
 * on 127.0.0.1, different ports (so different origins): the trusted one redirects, the other
 * records the headers it receives.
 */
import axios from 'axios';
import { attachBearerAuth, createAuthSession } from '../../src/index.js';
import { ACCESS_1, ACCESS_2, startRecordingServer, type RecordingServer } from './support.js';

let trusted: RecordingServer;
let other: RecordingServer;

beforeEach(async () => {
  other = await startRecordingServer();
  trusted = await startRecordingServer((request, res) => {
    const status = Number(/^\/redirect\/(\d{3})$/.exec(request.url)?.[1] ?? 404);
    res.writeHead(status, { location: `${other.origin}/landing` }).end();
  });
});
afterEach(async () => {
  await trusted.close();
  await other.close();
});

function client() {
  const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
  const session = createAuthSession({ refresh, tokens: { accessToken: ACCESS_1 } });
  const api = axios.create({ baseURL: trusted.origin, proxy: false, maxRedirects: 3 });
  attachBearerAuth(api, session);
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
