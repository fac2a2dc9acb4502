import {
  attachBearerAuth,
  ErrorCode,
  isRefreshFailedError,
  isRefreshTimeoutError,
  RefreshTimeoutError,
  type RefreshContext,
} from '../../src/index.js';
import {
  flush,
  NEW_ACCESS,
  newInstance,
  OLD_ACCESS,
  OLD_REFRESH,
  settle,
  tokenOf,
} from './helpers.js';

type Outcome = Awaited<ReturnType<typeof settle>>;

function setup(refreshTimeout?: number) {
  const { instance, mock } = newInstance();
  const contexts: RefreshContext[] = [];
  const refresh = jest.fn((_current: unknown, context: RefreshContext) => {
    contexts.push(context);
    return new Promise<{ accessToken: string }>(() => undefined); // never settles
  });
  const onRefreshFailed = jest.fn();
  const { session } = attachBearerAuth(instance, {
    tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
    refresh,
    onRefreshFailed,
    ...(refreshTimeout === undefined ? {} : { refreshTimeout }),
  });
  mock.onGet(/.*/).reply((config) => (tokenOf(config) === NEW_ACCESS ? [200, 'ok'] : [401]));
  return { instance, mock, session, refresh, contexts, onRefreshFailed };
}

/** Tracks outcomes without awaiting, so a test can look at them at chosen fake times. */
function track(promises: Array<Promise<unknown>>) {
  const outcomes: Array<Outcome | undefined> = promises.map(() => undefined);
  promises.forEach((promise, i) => {
    void settle(promise).then((outcome) => {
      outcomes[i] = outcome;
    });
  });
  return outcomes;
}

describe('a refresh that never settles', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('rejects every waiter with the same RefreshTimeoutError after refreshTimeout, not before', async () => {
    const t = setup(10_000);

    const refused = Array.from({ length: 20 }, (_, i) => t.instance.get(`/refused/${i}`));
    await flush();
    // These are sent while the refresh is in flight and wait in the request interceptor.
    const queued = Array.from({ length: 5 }, (_, i) => t.instance.get(`/queued/${i}`));
    const outcomes = track([...refused, ...queued]);
    await flush();
    expect(t.refresh).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(9_999);
    await flush();
    expect(outcomes.every((o) => o === undefined)).toBe(true);

    await jest.advanceTimersByTimeAsync(1);
    await flush();

    expect(outcomes.every((o) => o?.status === 'rejected')).toBe(true);
    const errors = outcomes.map((o) => (o as { reason: unknown }).reason);
    const first = errors[0] as RefreshTimeoutError;
    for (const error of errors) expect(error).toBe(first);
    expect(first).toBeInstanceOf(RefreshTimeoutError);
    expect(isRefreshTimeoutError(first)).toBe(true);
    expect(isRefreshFailedError(first)).toBe(true);
    expect(first.code).toBe(ErrorCode.REFRESH_TIMEOUT);
    expect(first.name).toBe('RefreshTimeoutError');
    expect(first.timeout).toBe(10_000);
    expect(t.onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(t.onRefreshFailed).toHaveBeenCalledWith({ error: first, sessionEnded: false });
    // The queued requests were never sent; the refused ones were not replayed.
    expect(t.mock.history).toHaveLength(20);
    // A timeout is transient: the tokens are kept.
    expect(t.session.getTokens()).toEqual({ accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH });
  });

  it("aborts the refresh's context.signal with the timeout error", async () => {
    const t = setup(1_000);
    const outcome = track([t.instance.get('/a')]);
    await flush();
    const { signal } = t.contexts[0]!;
    expect(signal.aborted).toBe(false);

    await jest.advanceTimersByTimeAsync(1_000);
    await flush();

    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(RefreshTimeoutError);
    expect(signal.reason).toBe((outcome[0] as { reason: unknown }).reason);
  });

  it('defaults refreshTimeout to 30000 ms', async () => {
    const t = setup();
    const outcome = track([t.instance.get('/a')]);
    await flush();

    await jest.advanceTimersByTimeAsync(29_999);
    await flush();
    expect(outcome[0]).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await flush();
    expect(outcome[0]).toMatchObject({ status: 'rejected', reason: { timeout: 30_000 } });
  });

  it('lets the next refusal start a new refresh, which can succeed', async () => {
    const t = setup(1_000);
    const first = track([t.instance.get('/a')]);
    await flush();
    await jest.advanceTimersByTimeAsync(1_000);
    await flush();
    expect(first[0]?.status).toBe('rejected');

    t.refresh.mockImplementation(async () => ({ accessToken: NEW_ACCESS }));
    const second = track([t.instance.get('/a')]);
    await flush();

    expect(t.refresh).toHaveBeenCalledTimes(2);
    expect(second[0]).toMatchObject({ status: 'fulfilled', value: { data: 'ok' } });
    expect(jest.getTimerCount()).toBe(0);
  });
});
