/**
 * The API misbehaves on a real HTTP server on 127.0.0.1: a connection reset reaches the caller as
 * axios's own network error, is never replayed or refreshed for, and leaves no socket open.
 */
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { attachBearerAuth, isBearerAuthError, type AuthSession } from '../../src/index.js';
import { refreshVia, startFaultServer, type FaultServer } from './fault-server.js';

let server: FaultServer;
let api: AxiosInstance;
let session: AuthSession;
let refresh: ReturnType<typeof refreshVia>;
let replays: number;

beforeEach(async () => {
  server = await startFaultServer();
  api = axios.create({ baseURL: `${server.origin}/api` });
  refresh = refreshVia(server);
  replays = 0;
  ({ session } = attachBearerAuth(api, {
    tokens: server.login(),
    refresh,
    onReplay: () => replays++,
  }));
});

afterEach(async () => {
  await server.close();
});

test('a connection reset on the replay reaches the caller as ECONNRESET, with no second replay', async () => {
  server.resetReplays = true;
  server.expireAll();

  const error: unknown = await api
    .post('/orders', { item: 'book', qty: 2 }, { headers: { 'X-Request-Id': 'order-1' } })
    .then(
      () => undefined,
      (reason: unknown) => reason,
    );

  expect(axios.isAxiosError(error)).toBe(true);
  expect(isBearerAuthError(error)).toBe(false);
  expect(error).toMatchObject({ code: 'ECONNRESET' });
  expect((error as AxiosError).response).toBeUndefined();
  expect(server.apiHits.map((hit) => hit.answer)).toEqual([401, 'reset']);
  const [original, replay] = server.apiHits;
  expect(replay!.token).toBe(session.getTokens()!.accessToken);
  expect(replay!.token).not.toBe(original!.token);
  expect(refresh.calls).toBe(1);
  expect(replays).toBe(1);

  // The session is unharmed: the next request goes out with the new token and succeeds.
  server.resetReplays = false;
  const next = await api.get('/orders/1', { headers: { 'X-Request-Id': 'order-2' } });
  expect(next.data).toEqual({ id: 'order-2', token: session.getTokens()!.accessToken });
  expect(refresh.calls).toBe(1);
});

test('concurrent refused requests whose replays are all reset each settle once with ECONNRESET after one refresh', async () => {
  server.resetReplays = true;
  server.expireAll();

  const results = await Promise.allSettled(
    ['a', 'b', 'c', 'd'].map((id) => api.get(`/items/${id}`, { headers: { 'X-Request-Id': id } })),
  );

  for (const result of results) {
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'ECONNRESET' });
  }
  expect(refresh.calls).toBe(1);
  for (const id of ['a', 'b', 'c', 'd']) {
    expect(server.apiHits.filter((hit) => hit.id === id).map((hit) => hit.answer)).toEqual([
      401,
      'reset',
    ]);
  }
});

test('a connection reset on a first send is returned as it is: no refresh, no replay', async () => {
  server.resetReplays = true;
  // The server resets any id it has seen before; make this request's first send look like one.
  await api.get('/warm', { headers: { 'X-Request-Id': 'seen' } });

  await expect(api.get('/items/x', { headers: { 'X-Request-Id': 'seen' } })).rejects.toMatchObject({
    code: 'ECONNRESET',
  });

  expect(refresh.calls).toBe(0);
  expect(replays).toBe(0);
  expect(server.apiHits.map((hit) => hit.answer)).toEqual([200, 'reset']);
});
