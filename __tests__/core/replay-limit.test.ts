import { AxiosError, type AxiosInstance } from 'axios';
import {
  attachBearerAuth,
  isRefreshFailedError,
  isRefreshTimeoutError,
  RefreshFailedError,
  RefreshTimeoutError,
  type TokenSet,
} from '../../src/index.js';
import {
  boundedRefresh,
  deferred,
  type Deferred,
  flush,
  headerOf,
  NEW_ACCESS,
  NEW_REFRESH,
  newInstance,
  OLD_ACCESS,
  OLD_REFRESH,
  settle,
  tokenOf,
} from './helpers.js';

const tokens = { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH };

describe('a request is replayed at most once', () => {
  it('returns the 401 of a refused replay to the caller, after one refresh and no loop', async () => {
    const { instance, mock } = newInstance();
    const refresh = boundedRefresh();
    attachBearerAuth(instance, { tokens, refresh });
    mock.onGet('/forbidden-forever').reply(401, { error: 'still no' });

    const error: unknown = await instance.get('/forbidden-forever').catch((e) => e);

    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect((error as AxiosError).response?.data).toEqual({ error: 'still no' });
    // It is the replay's refusal: the error's request carried the new token.
    expect(tokenOf((error as AxiosError).config!)).toBe(NEW_ACCESS);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });

  it('settles a storm of requests whose replays are all refused with one refresh', async () => {
    const { instance, mock } = newInstance();
    const refresh = boundedRefresh();
    attachBearerAuth(instance, { tokens, refresh });
    mock.onGet(/.*/).reply(401);

    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => settle(instance.get(`/r/${i}`))),
    );

    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(mock.history).toHaveLength(200);
  });
});

describe('a refresh function that calls the same instance', () => {
  it('works when its token request passes skipAuth, which carries no bearer header', async () => {
    const { instance, mock } = newInstance();
    const refresh = jest.fn(async (current: { refreshToken?: string | undefined } | null) => {
      const { data } = await instance.post<{ access_token: string; refresh_token: string }>(
        '/token',
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: current!.refreshToken! }),
        { skipAuth: true },
      );
      return { accessToken: data.access_token, refreshToken: data.refresh_token };
    });
    const { session } = attachBearerAuth(instance, { tokens, refresh });
    mock
      .onPost('/token')
      .reply((config) =>
        headerOf(config) === undefined &&
        config.data === `grant_type=refresh_token&refresh_token=${OLD_REFRESH}`
          ? [200, { access_token: NEW_ACCESS, refresh_token: NEW_REFRESH }]
          : [400, { error: 'invalid_request' }],
      );
    mock.onGet('/me').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200, 'me'] : [401]));

    await expect(instance.get('/me')).resolves.toMatchObject({ data: 'me' });

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.getTokens()).toEqual({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
    expect(mock.history.filter((c) => c.url === '/token')).toHaveLength(1);
  });

  describe('without skipAuth', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    const shapes: Array<[string, (instance: AxiosInstance) => () => Promise<TokenSet>]> = [
      [
        'sends its token request synchronously',
        (instance) => async () => (await instance.post<TokenSet>('/token', {})).data,
      ],
      [
        "returns its token request's promise",
        (instance) => () => instance.post<TokenSet>('/token', {}).then((response) => response.data),
      ],
    ];

    it.each(shapes)(
      'fails fast when the refresh %s: RefreshFailedError whose cause names skipAuth',
      async (_title, makeRefresh) => {
        const { instance, mock } = newInstance();
        const refresh = jest.fn(makeRefresh(instance));
        const onRefreshFailed = jest.fn();
        attachBearerAuth(instance, { tokens, refresh, onRefreshFailed, refreshTimeout: 30_000 });
        mock.onPost('/token').reply(200, { accessToken: NEW_ACCESS });
        mock.onGet('/me').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200] : [401]));

        const outcome = settle(instance.get('/me'));
        // No fake time passes: only a fast failure can settle it.
        await flush();
        const settled = await Promise.race([outcome, Promise.resolve('pending' as const)]);

        expect(settled).not.toBe('pending');
        const { reason } = settled as { reason: unknown };
        expect(reason).toBeInstanceOf(RefreshFailedError);
        expect(isRefreshTimeoutError(reason)).toBe(false);
        expect(((reason as RefreshFailedError).cause as Error).message).toBe(
          'The refresh function sent a request through an instance this session is attached ' +
            'to: pass { skipAuth: true } on that request, or it waits for itself.',
        );
        expect(refresh).toHaveBeenCalledTimes(1);
        expect(onRefreshFailed).toHaveBeenCalledTimes(1);
        // The token request never went out with the stale access token.
        expect(mock.history.map((c) => c.url)).toEqual(['/me']);
        expect(jest.getTimerCount()).toBe(0);
      },
    );

    it('ends in the timeout error naming skipAuth where the call cannot be traced, without a loop', async () => {
      const { instance, mock } = newInstance();
      // A request queue whose worker started outside the refresh (like a batching client), or
      // any token request sent after the refresh function's first await: the library cannot tell
      // it belongs to the refresh (that would take AsyncLocalStorage, too costly on Node 20).
      const jobs: Array<{ run: () => Promise<TokenSet>; done: Deferred<TokenSet> }> = [];
      const wake = deferred<void>();
      const worker = (async () => {
        await wake.promise;
        const job = jobs.shift()!;
        job.run().then(job.done.resolve, job.done.reject);
      })();
      const refresh = jest.fn(() => {
        const done = deferred<TokenSet>();
        jobs.push({ run: async () => (await instance.post<TokenSet>('/token', {})).data, done });
        wake.resolve();
        return done.promise;
      });
      attachBearerAuth(instance, { tokens, refresh, refreshTimeout: 5_000 });
      mock.onPost('/token').reply(200, { accessToken: NEW_ACCESS });
      mock.onGet('/me').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200] : [401]));

      const outcome = settle(instance.get('/me'));
      await flush();
      await worker;
      expect(await Promise.race([outcome, Promise.resolve('pending' as const)])).toBe('pending');
      await jest.advanceTimersByTimeAsync(5_000);
      await flush();
      const settled = await Promise.race([outcome, Promise.resolve('pending' as const)]);

      expect(settled).not.toBe('pending');
      const { reason } = settled as { reason: unknown };
      expect(isRefreshFailedError(reason)).toBe(true);
      expect(reason).toBeInstanceOf(RefreshTimeoutError);
      expect((reason as Error).message).toMatch(/skipAuth/);
      expect(refresh).toHaveBeenCalledTimes(1);
      // The token request waited for the refresh it is part of and was never sent; no loop.
      expect(mock.history.map((c) => c.url)).toEqual(['/me']);
    });
  });
});
