import type { AxiosInstance } from 'axios';
import { inspect } from 'node:util';
import {
  isRefreshFailedError,
  isSessionEndedError,
  RefreshFailedError,
  SessionEndedError,
} from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientFor, destroyAgents } from './client.js';

const WAITING = 20;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  destroyAgents();
  await server.close();
});

function settleAll(promises: Array<Promise<unknown>>) {
  return Promise.all(
    promises.map((promise) =>
      promise.then(
        () => undefined,
        (e: unknown) => e,
      ),
    ),
  );
}

/**
 * Sends one request that is refused and starts the refresh, holds the token request until
 * WAITING more requests are queued behind the refresh, then lets it fail: so all of them wait for
 * the same refresh, whatever the timing.
 */
async function failWhileWaiting(instance: AxiosInstance) {
  const tokenCall = server.hold((request) => request.endpoint === 'token');
  const first = instance.get('/first');
  await tokenCall.arrived;
  const waiting = Array.from({ length: WAITING }, (_, i) =>
    i % 2 ? instance.get(`/items/${i}`) : instance.post(`/items/${i}`, { i }),
  );
  tokenCall.release();
  const errors = await settleAll([first, ...waiting]);
  expect(server.requests.filter((request) => request.endpoint === 'api')).toHaveLength(1);
  return errors;
}

/** Every token the server has issued so far: none may appear in what the library produced. */
function issuedTokens(count: number) {
  return Array.from({ length: count }, (_, i) => [`at-${i + 1}`, `rt-${i + 1}`]).flat();
}

describe('a refresh the token endpoint answers with 500', () => {
  it('rejects every waiting request with the same RefreshFailedError, fires onRefreshFailed once and keeps the tokens', async () => {
    const onRefreshFailed = jest.fn();
    const onSessionEnded = jest.fn();
    const { instance, handle } = clientFor(server, { onRefreshFailed, onSessionEnded });
    const held = handle.session.getTokens();
    server.expireAccessTokens();
    server.setTokenOutcome('server-error');

    const errors = await failWhileWaiting(instance);

    expect(server.stats.refreshCalls).toBe(1);
    expect(errors[0]).toBeInstanceOf(RefreshFailedError);
    expect(isRefreshFailedError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ code: 'ERR_REFRESH_FAILED', status: 500 });
    expect((errors[0] as Error).cause).toMatchObject({ status: 500 });
    expect(errors.every((error) => error === errors[0])).toBe(true);
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(onRefreshFailed).toHaveBeenCalledWith({ error: errors[0], sessionEnded: false });
    expect(onSessionEnded).not.toHaveBeenCalled();
    expect(handle.session.getTokens()).toEqual(held);
    const dump = inspect(errors[0], { depth: 10 });
    for (const token of issuedTokens(1)) expect(dump).not.toContain(token);
  });

  it('lets a later refusal try again and succeed once the endpoint recovers', async () => {
    const { instance } = clientFor(server);
    server.expireAccessTokens();
    server.setTokenOutcome('server-error');
    await expect(instance.get('/items')).rejects.toBeInstanceOf(RefreshFailedError);

    server.setTokenOutcome('ok');
    const response = await instance.get('/items');

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls).toBe(2);
  });
});

describe('a refresh the token endpoint refuses with 400 invalid_grant', () => {
  it('ends the session: every waiting request rejects with the same SessionEndedError and onSessionEnded fires once', async () => {
    const onRefreshFailed = jest.fn();
    const onSessionEnded = jest.fn();
    const { instance, handle } = clientFor(server, { onRefreshFailed, onSessionEnded });
    server.expireAccessTokens();
    server.setTokenOutcome('invalid-grant');

    const errors = await failWhileWaiting(instance);

    expect(server.stats.refreshCalls).toBe(1);
    expect(errors[0]).toBeInstanceOf(SessionEndedError);
    expect(errors[0]).toMatchObject({
      code: 'ERR_SESSION_ENDED',
      reason: 'refresh-refused',
      oauthError: 'invalid_grant',
    });
    expect(errors.every((error) => error === errors[0])).toBe(true);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    expect(onSessionEnded).toHaveBeenCalledWith({ reason: 'refresh-refused', error: errors[0] });
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(onRefreshFailed).toHaveBeenCalledWith({ error: errors[0], sessionEnded: true });
    expect(handle.session.getTokens()).toBeNull();
    const dump = inspect(errors[0], { depth: 10 });
    for (const token of issuedTokens(1)) expect(dump).not.toContain(token);
  });

  it('rejects later requests at once with SessionEndedError, without sending them', async () => {
    const onSessionEnded = jest.fn();
    const { instance } = clientFor(server, { onSessionEnded });
    server.expireAccessTokens();
    server.setTokenOutcome('invalid-grant');
    await expect(instance.get('/items')).rejects.toBeInstanceOf(SessionEndedError);
    const seen = server.requests.length;

    const later = await settleAll([instance.get('/later'), instance.post('/later', { a: 1 })]);

    expect(later.every((error) => isSessionEndedError(error))).toBe(true);
    expect(later[0]).toMatchObject({ reason: 'refresh-refused' });
    expect(server.requests).toHaveLength(seen);
    expect(server.stats.refreshCalls).toBe(1);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('works again after a fresh setTokens', async () => {
    const { instance, handle } = clientFor(server);
    server.expireAccessTokens();
    server.setTokenOutcome('invalid-grant');
    await expect(instance.get('/items')).rejects.toBeInstanceOf(SessionEndedError);

    server.setTokenOutcome('ok');
    const login = server.login();
    await handle.session.setTokens(login);
    const response = await instance.get('/after-login');

    expect(response.status).toBe(200);
    expect(server.requestsTo('/after-login').map((request) => request.token)).toEqual([
      login.accessToken,
    ]);
  });

  it('also ends the session when the rotated refresh token is presented a second time', async () => {
    const onSessionEnded = jest.fn();
    const login = server.login();
    const { instance, handle } = clientFor(server, { tokens: login, onSessionEnded });
    server.expireAccessTokens();
    await instance.get('/first');
    // Someone else (another process) reuses the old refresh token: the server rotated it.
    await handle.session.setTokens(login);

    await expect(instance.get('/second')).rejects.toMatchObject({
      name: 'SessionEndedError',
      oauthError: 'invalid_grant',
    });
    expect(server.stats.refreshCalls).toBe(2);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });
});

describe('a refresh function that throws', () => {
  it('rejects every waiting request with RefreshFailedError carrying the cause and keeps the tokens', async () => {
    const onRefreshFailed = jest.fn();
    let started!: () => void;
    let fail!: () => void;
    const refreshStarted = new Promise<void>((resolve) => (started = resolve));
    const failing = new Promise<never>((_, reject) => {
      fail = () => reject(new Error('refresh function bug'));
    });
    const { instance, handle } = clientFor(server, {
      refresh: () => {
        started();
        return failing;
      },
      onRefreshFailed,
    });
    const held = handle.session.getTokens();
    server.expireAccessTokens();

    const first = instance.get('/a');
    await refreshStarted;
    const waiting = [instance.get('/b'), instance.post('/c', 'c')];
    fail();
    const errors = await settleAll([first, ...waiting]);

    expect(errors).toHaveLength(3);
    expect(errors[0]).toBeInstanceOf(RefreshFailedError);
    expect((errors[0] as Error).cause).toMatchObject({ message: 'refresh function bug' });
    expect(server.requests).toHaveLength(1);
    expect(errors.every((error) => error === errors[0])).toBe(true);
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(handle.session.getTokens()).toEqual(held);
    expect(server.stats.refreshCalls).toBe(0);
  });
});
