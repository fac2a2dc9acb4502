/**
 * The token endpoint misbehaves on a real HTTP server on 127.0.0.1: every waiting request
 * settles with the same typed error (or succeeds), the tokens are kept for a later try, and no
 * timer or socket is left open (run with --detectOpenHandles).
 */
import axios, { type AxiosInstance } from 'axios';
import {
  attachBearerAuth,
  InvalidTokenResponseError,
  RefreshFailedError,
  RefreshTimeoutError,
  SessionEndedError,
  type AuthSession,
  type RefreshFailedEvent,
} from '../../src/index.js';
import { refreshVia, startFaultServer, type FaultServer } from './fault-server.js';

let server: FaultServer;
let api: AxiosInstance;
let session: AuthSession;
let refresh: ReturnType<typeof refreshVia>;
let failures: RefreshFailedEvent[];

async function setUp(options: { refreshTimeout?: number; maxContentLength?: number } = {}) {
  server = await startFaultServer();
  api = axios.create({ baseURL: `${server.origin}/api` });
  refresh = refreshVia(
    server,
    options.maxContentLength ? { maxContentLength: options.maxContentLength } : {},
  );
  failures = [];
  ({ session } = attachBearerAuth(api, {
    tokens: server.login(),
    refresh,
    ...(options.refreshTimeout ? { refreshTimeout: options.refreshTimeout } : {}),
    onRefreshFailed: (event) => failures.push(event),
  }));
}

afterEach(async () => {
  await server.close();
});

/** Three requests refused at once: they share one refresh and settle together. */
function refusedTrio() {
  server.expireAll();
  return Promise.allSettled(
    ['a', 'b', 'c'].map((id) => api.get(`/items/${id}`, { headers: { 'X-Request-Id': id } })),
  );
}

function reasons(results: PromiseSettledResult<unknown>[]): unknown[] {
  return results.map((result) => {
    if (result.status === 'fulfilled') throw new Error('expected every request to fail');
    return result.reason;
  });
}

/** The error and its cause chain as text, to look for secrets in. */
function textOf(error: unknown): string {
  let text = '';
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    text += `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}\n`;
  }
  return text;
}

function expectNoSecretIn(error: unknown) {
  const text = textOf(error);
  for (const secret of server.secrets) expect(text).not.toContain(secret);
}

/** After a transient failure the tokens are kept, and the next refusal refreshes again. */
async function expectRecovery() {
  expect(session.getTokens()).not.toBeNull();
  server.tokenFault = 'ok';
  const response = await api.get('/items/after', { headers: { 'X-Request-Id': 'after' } });
  expect(response.status).toBe(200);
  expect(refresh.calls).toBe(server.tokenRequests.length);
  expect(failures).toHaveLength(refresh.calls - 1);
}

/**
 * The three requests were sent before the refresh failed, so they share it, even when a refusal
 * arrives after the failure: one token request, one error, one event.
 */
function expectOneSharedFailure(errors: unknown[]) {
  expect(server.tokenRequests).toHaveLength(1);
  expect(new Set(errors).size).toBe(1);
  expect(failures.map((event) => event.error)).toEqual([errors[0]]);
}

test('a connection reset in the middle of the token answer fails the waiting requests with one RefreshFailedError', async () => {
  await setUp();
  server.tokenFault = 'reset-mid-answer';

  const errors = reasons(await refusedTrio());

  expect(errors[0]).toBeInstanceOf(RefreshFailedError);
  expect(errors[0]).not.toBeInstanceOf(InvalidTokenResponseError);
  expect(errors[0]).not.toBeInstanceOf(RefreshTimeoutError);
  expect(errors[0]).toMatchObject({ code: 'ERR_REFRESH_FAILED', name: 'RefreshFailedError' });
  expectOneSharedFailure(errors);
  expect((errors[0] as Error).cause).toBeInstanceOf(Error);
  expect(failures.map((event) => event.sessionEnded)).toEqual(
    server.tokenRequests.map(() => false),
  );
  expectNoSecretIn(errors[0]);
  await expectRecovery();
});

test('a token endpoint slower than refreshTimeout fails the waiting requests with RefreshTimeoutError and closes its socket', async () => {
  await setUp({ refreshTimeout: 150 });
  server.tokenFault = 'slow';

  const errors = reasons(await refusedTrio());

  expect(errors[0]).toBeInstanceOf(RefreshTimeoutError);
  expect(errors[0]).toMatchObject({ code: 'ERR_REFRESH_TIMEOUT', timeout: 150 });
  expectOneSharedFailure(errors);
  // The refresh's signal aborted the token request: the client closed its connection.
  await waitFor(() => server.tokenRequests.every((request) => request.closedByClient));
  // A late answer changes nothing: the tokens the session holds stay as they were.
  const before = session.getTokens();
  server.answerSlowRequests();
  await new Promise((resolve) => setImmediate(resolve));
  expect(session.getTokens()).toEqual(before);
  expectNoSecretIn(errors[0]);
  await expectRecovery();
});

test.each([
  ['an HTML page', 'html'],
  ['an empty body', 'empty'],
  ['JSON without access_token', 'no-access-token'],
] as const)(
  'a 200 answer with %s fails the waiting requests with InvalidTokenResponseError',
  async (_, fault) => {
    await setUp();
    server.tokenFault = fault;

    const errors = reasons(await refusedTrio());

    expect(errors[0]).toBeInstanceOf(InvalidTokenResponseError);
    expect(errors[0]).toMatchObject({ code: 'ERR_INVALID_TOKEN_RESPONSE', field: 'accessToken' });
    expectOneSharedFailure(errors);
    expect(errors[0]).not.toBeInstanceOf(SessionEndedError);
    expect(failures.map((event) => event.sessionEnded)).toEqual(
      server.tokenRequests.map(() => false),
    );
    expectNoSecretIn(errors[0]);
    await expectRecovery();
  },
);

test('a valid token answer of 5 MB is adopted and every waiter is replayed with it', async () => {
  await setUp();
  server.tokenFault = 'huge';

  const results = await refusedTrio();

  const tokens = results.map((result) => {
    if (result.status !== 'fulfilled') throw result.reason;
    return (result.value.data as { token: string }).token;
  });
  expect(tokens).toEqual(Array(3).fill(session.getTokens()!.accessToken));
  expect(server.tokenRequests).toHaveLength(1);
  expect(server.apiHits.filter((hit) => hit.answer === 200)).toHaveLength(3);
});

test('a 5 MB token answer over the client maxContentLength fails the waiting requests with RefreshFailedError', async () => {
  await setUp({ maxContentLength: 64 * 1024 });
  server.tokenFault = 'huge';

  const errors = reasons(await refusedTrio());

  expect(errors[0]).toBeInstanceOf(RefreshFailedError);
  expect(errors[0]).toMatchObject({ code: 'ERR_REFRESH_FAILED' });
  expect((errors[0] as Error).message).toContain('maxContentLength');
  expectOneSharedFailure(errors);
  await expectRecovery();
});

/** Polls a condition the server sets from socket events (bounded: 200 turns of the loop). */
async function waitFor(condition: () => boolean) {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}
