import type { AxiosInstance } from 'axios';
import type MockAdapter from 'axios-mock-adapter';
import {
  attachBearerAuth,
  isRefreshFailedError,
  isSessionEndedError,
  RefreshFailedError,
  SessionEndedError,
  type AuthSessionOptions,
  type TokenSet,
} from '../../src/index.js';
import {
  deferred,
  flush,
  NEW_ACCESS,
  NEW_REFRESH,
  NEWER_ACCESS,
  newInstance,
  OLD_ACCESS,
  OLD_REFRESH,
  settle,
  tokenOf,
} from './helpers.js';

const WAITERS = 50;

/** An API instance with the library attached and a separate token endpoint client. */
function setup(refresh: AuthSessionOptions['refresh']) {
  const api = newInstance();
  const onRefreshFailed = jest.fn();
  const onSessionEnded = jest.fn();
  const refreshSpy = jest.fn(refresh);
  const { session } = attachBearerAuth(api.instance, {
    tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
    refresh: refreshSpy,
    onRefreshFailed,
    onSessionEnded,
  });
  let accepted = NEW_ACCESS;
  api.mock
    .onGet(/\/r\/\d+/)
    .reply((config) => (tokenOf(config) === accepted ? [200, 'ok'] : [401]));
  return {
    ...api,
    session,
    refresh: refreshSpy,
    onRefreshFailed,
    onSessionEnded,
    accept(token: string) {
      accepted = token;
    },
    storm: (n = WAITERS) =>
      Promise.all(Array.from({ length: n }, (_, i) => settle(api.instance.get(`/r/${i}`)))),
  };
}

/** A refresh function posting the refresh token to a mocked token endpoint. */
function tokenEndpoint(): {
  client: AxiosInstance;
  mock: MockAdapter;
  refresh: AuthSessionOptions['refresh'];
} {
  const { instance: client, mock } = newInstance();
  const refresh = async (current: TokenSet | null) => {
    const { data } = await client.post<{ access_token: string; refresh_token: string }>(
      '/token',
      { grant_type: 'refresh_token', refresh_token: current?.refreshToken },
      { headers: { Authorization: `Bearer ${current?.accessToken}` } },
    );
    return { accessToken: data.access_token, refreshToken: data.refresh_token };
  };
  return { client, mock, refresh };
}

function reasons(outcomes: Array<{ status: string; reason?: unknown }>) {
  expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  return outcomes.map((o) => o.reason);
}

describe('a transient refresh failure', () => {
  it('rejects every waiter with the same RefreshFailedError carrying the cause, once', async () => {
    const t = setup(async () => {
      throw new Error('token service exploded');
    });

    const all = reasons(await t.storm());

    const first = all[0];
    expect(first).toBeInstanceOf(RefreshFailedError);
    expect(isRefreshFailedError(first)).toBe(true);
    expect(isSessionEndedError(first)).toBe(false);
    for (const reason of all) expect(reason).toBe(first);
    const cause = (first as RefreshFailedError).cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.message).toBe('token service exploded');
    expect(t.refresh).toHaveBeenCalledTimes(1);
    expect(t.onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(t.onRefreshFailed).toHaveBeenCalledWith({ error: first, sessionEnded: false });
    expect(t.onSessionEnded).not.toHaveBeenCalled();
    // Only the first attempts went out; nothing was replayed.
    expect(t.mock.history).toHaveLength(WAITERS);
  });

  it('keeps the tokens, so a later request refreshes again and succeeds', async () => {
    const t = setup(async () => {
      throw new Error('blip');
    });
    await t.storm(5);
    expect(t.session.getTokens()).toEqual({ accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH });

    t.refresh.mockImplementation(async () => ({ accessToken: NEW_ACCESS }));
    await expect(t.instance.get('/r/1')).resolves.toMatchObject({ data: 'ok' });

    expect(t.refresh).toHaveBeenCalledTimes(2);
    expect(t.refresh.mock.calls[1]![0]).toEqual({
      accessToken: OLD_ACCESS,
      refreshToken: OLD_REFRESH,
    });
  });

  // A request remembers how many refreshes had settled when it was sent, so that its late refusal
  // can share a failure it predates. A config sent again is a new request: its note is renewed.
  it('refreshes again for a request re-sent with the config of a response from before the failure', async () => {
    const t = setup(async () => {
      throw new Error('blip');
    });
    t.accept(OLD_ACCESS);
    const earlier = await t.instance.get('/r/0');
    t.accept(NEW_ACCESS);
    await t.storm(1);
    expect(t.refresh).toHaveBeenCalledTimes(1);

    t.refresh.mockImplementation(async () => ({ accessToken: NEW_ACCESS }));
    await expect(t.instance.request(earlier.config)).resolves.toMatchObject({ data: 'ok' });

    expect(t.refresh).toHaveBeenCalledTimes(2);
    expect(t.mock.history.slice(-2).map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });

  it('rejects a late refusal of an older token that waited for it with the same error', async () => {
    const failing = deferred<never>();
    const t = setup(
      jest
        .fn()
        .mockResolvedValueOnce({ accessToken: NEW_ACCESS })
        .mockReturnValueOnce(failing.promise),
    );
    t.accept(NEWER_ACCESS);
    const answer = deferred<[number]>();
    t.mock.onGet('/slow').reply(() => answer.promise);

    const slow = settle(t.instance.get('/slow'));
    await flush();
    await t.session.refresh();
    const current = settle(t.instance.get('/r/0'));
    await flush();
    answer.resolve([401]); // the refusal of OLD_ACCESS arrives while NEW_ACCESS is refreshed
    await flush();
    failing.reject(new Error('token service down'));

    const [late, refused] = reasons([await slow, await current]);
    expect(late).toBeInstanceOf(RefreshFailedError);
    expect(late).toBe(refused);
    expect(t.refresh).toHaveBeenCalledTimes(2);
    expect(t.mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });

  it('treats a 500 from the token endpoint as transient and records its status', async () => {
    const endpoint = tokenEndpoint();
    endpoint.mock.onPost('/token').replyOnce(500, { error: 'server_error' });
    endpoint.mock.onPost('/token').replyOnce(200, {
      access_token: NEW_ACCESS,
      refresh_token: NEW_REFRESH,
    });
    const t = setup(endpoint.refresh);

    const all = reasons(await t.storm());

    for (const reason of all) expect(reason).toBe(all[0]);
    expect(all[0]).toBeInstanceOf(RefreshFailedError);
    expect((all[0] as RefreshFailedError).status).toBe(500);
    expect((all[0] as RefreshFailedError).cause).toMatchObject({ status: 500 });
    expect(t.onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(t.session.getTokens()).toEqual({ accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH });

    await expect(t.instance.get('/r/0')).resolves.toMatchObject({ data: 'ok' });
    expect(endpoint.mock.history).toHaveLength(2);
    expect(t.session.getTokens()).toEqual({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
  });

  it('treats a network error at the token endpoint as transient', async () => {
    const endpoint = tokenEndpoint();
    endpoint.mock.onPost('/token').networkErrorOnce();
    const t = setup(endpoint.refresh);

    const all = reasons(await t.storm(3));

    expect(all[0]).toBeInstanceOf(RefreshFailedError);
    expect(t.onSessionEnded).not.toHaveBeenCalled();
    expect(t.session.getTokens()).not.toBeNull();
  });
});

describe('a refused refresh ends the session', () => {
  const refusals: Array<
    [string, (endpoint: ReturnType<typeof tokenEndpoint>) => void, string | undefined]
  > = [
    [
      'a 400 invalid_grant from the token endpoint',
      (e) => e.mock.onPost('/token').replyOnce(400, { error: 'invalid_grant' }),
      'invalid_grant',
    ],
    ['a 401 from the token endpoint', (e) => e.mock.onPost('/token').replyOnce(401), undefined],
  ];

  it.each(refusals)('on %s', async (_title, arrange, oauthError) => {
    const endpoint = tokenEndpoint();
    arrange(endpoint);
    const t = setup(endpoint.refresh);

    const all = reasons(await t.storm());

    const first = all[0] as SessionEndedError;
    expect(first).toBeInstanceOf(SessionEndedError);
    expect(isSessionEndedError(first)).toBe(true);
    expect(first.reason).toBe('refresh-refused');
    expect(first.oauthError).toBe(oauthError);
    expect(first.cause).toBeInstanceOf(Error);
    for (const reason of all) expect(reason).toBe(first);
    expect(t.refresh).toHaveBeenCalledTimes(1);
    expect(t.session.getTokens()).toBeNull();
    expect(t.onSessionEnded).toHaveBeenCalledTimes(1);
    expect(t.onSessionEnded).toHaveBeenCalledWith({ reason: 'refresh-refused', error: first });
    expect(t.onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(t.onRefreshFailed).toHaveBeenCalledWith({ error: first, sessionEnded: true });
  });

  it('on a refresh that rejects with SessionEndedError', async () => {
    const t = setup(async () => {
      throw new SessionEndedError('refresh-refused', { oauthError: 'invalid_grant' });
    });

    const all = reasons(await t.storm());

    for (const reason of all) expect(reason).toBe(all[0]);
    expect(all[0]).toBeInstanceOf(SessionEndedError);
    expect(all[0]).toMatchObject({ reason: 'refresh-refused', oauthError: 'invalid_grant' });
    expect(t.session.getTokens()).toBeNull();
    expect(t.onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('then rejects later requests at once with SessionEndedError, without sending them', async () => {
    const t = setup(async () => {
      throw new SessionEndedError('refresh-refused');
    });
    await t.storm(5);
    const sent = t.mock.history.length;

    const outcomes = await Promise.all([
      settle(t.instance.get('/r/1')),
      settle(t.instance.post('/r/2', { a: 1 })),
    ]);

    for (const outcome of reasons(outcomes)) expect(isSessionEndedError(outcome)).toBe(true);
    expect(t.mock.history).toHaveLength(sent);
    expect(t.refresh).toHaveBeenCalledTimes(1);
    expect(t.onSessionEnded).toHaveBeenCalledTimes(1);
    await flush();
    expect(t.onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('comes back to life after setTokens, including refreshing again', async () => {
    const t = setup(async () => {
      throw new SessionEndedError('refresh-refused');
    });
    await t.storm(5);

    await t.session.setTokens({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
    await expect(t.instance.get('/r/1')).resolves.toMatchObject({ data: 'ok' });
    expect(tokenOf(t.mock.history.at(-1)!)).toBe(NEW_ACCESS);

    t.refresh.mockImplementation(async () => ({ accessToken: NEWER_ACCESS }));
    t.accept(NEWER_ACCESS);
    await expect(t.instance.get('/r/2')).resolves.toMatchObject({ data: 'ok' });
    expect(t.refresh).toHaveBeenCalledTimes(2);
    expect(t.refresh.mock.calls[1]![0]).toEqual({
      accessToken: NEW_ACCESS,
      refreshToken: NEW_REFRESH,
    });
  });

  it('fires onSessionEnded once for clear() and rejects requests with reason logout', async () => {
    const t = setup(async () => ({ accessToken: NEW_ACCESS }));

    await t.session.clear();
    await t.session.clear();

    expect(t.onSessionEnded).toHaveBeenCalledTimes(1);
    expect(t.onSessionEnded.mock.calls[0]![0]).toMatchObject({ reason: 'logout' });
    await expect(t.instance.get('/r/1')).rejects.toMatchObject({
      name: 'SessionEndedError',
      reason: 'logout',
    });
    expect(t.mock.history).toHaveLength(0);
  });
});
