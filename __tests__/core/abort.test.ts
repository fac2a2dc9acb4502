import { getEventListeners } from 'node:events';
import axios, { CanceledError } from 'axios';
import { attachBearerAuth, type RefreshContext } from '../../src/index.js';
import {
  deferred,
  flush,
  NEW_ACCESS,
  newInstance,
  OLD_ACCESS,
  settle,
  tokenOf,
} from './helpers.js';

function setup() {
  const { instance, mock } = newInstance();
  const gate = deferred<{ accessToken: string }>();
  const contexts: RefreshContext[] = [];
  const refresh = jest.fn((_current: unknown, context: RefreshContext) => {
    contexts.push(context);
    return gate.promise;
  });
  attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
  mock.onGet(/.*/).reply((config) => [tokenOf(config) === NEW_ACCESS ? 200 : 401, config.url]);
  const sentTo = (url: string) => mock.history.filter((c) => c.url === url).map(tokenOf);
  return { instance, mock, gate, refresh, contexts, sentTo };
}

function expectCancel(outcome: Awaited<ReturnType<typeof settle>> | undefined) {
  expect(outcome?.status).toBe('rejected');
  const reason = (outcome as { reason: unknown }).reason;
  expect(reason).toBeInstanceOf(CanceledError);
  expect(axios.isCancel(reason)).toBe(true);
}

/** Starts a request and records its outcome as soon as it settles. */
function start(promise: Promise<unknown>) {
  const box: { outcome?: Awaited<ReturnType<typeof settle>> } = {};
  void settle(promise).then((outcome) => {
    box.outcome = outcome;
  });
  return box;
}

describe('aborting a request that waits for the refresh', () => {
  it('rejects a refused request at once with CanceledError when its AbortSignal fires, and does not replay it', async () => {
    const t = setup();
    const controller = new AbortController();
    const aborted = start(t.instance.get('/aborted', { signal: controller.signal }));
    const others = [1, 2, 3].map((i) => t.instance.get(`/other/${i}`));
    await flush();
    expect(t.refresh).toHaveBeenCalledTimes(1);

    controller.abort();
    await flush();

    // Rejected while the refresh is still in flight.
    expectCancel(aborted.outcome);
    expect(t.contexts[0]!.signal.aborted).toBe(false);

    t.gate.resolve({ accessToken: NEW_ACCESS });
    const responses = await Promise.all(others);

    expect(responses.map((r) => r.data)).toEqual(['/other/1', '/other/2', '/other/3']);
    expect(t.sentTo('/aborted')).toEqual([OLD_ACCESS]);
    expect(t.refresh).toHaveBeenCalledTimes(1);
  });

  it("gives the cancel error the request's own config, which can be sent again", async () => {
    const t = setup();
    t.mock.onPost('/aborted').reply((c) => [tokenOf(c) === NEW_ACCESS ? 200 : 401, c.data]);
    const controller = new AbortController();
    const aborted = start(
      t.instance.post('/aborted', { id: 7 }, { signal: controller.signal, timeout: 1234 }),
    );
    await flush();
    controller.abort();
    await flush();
    expectCancel(aborted.outcome);
    const config = (aborted.outcome as { reason: CanceledError<unknown> }).reason.config!;

    // Not the replay's: a config re-sent from here must be able to refresh on a 401 again.
    expect(config).not.toHaveProperty('skipRefresh');
    expect(config.transformRequest).toEqual(t.instance.defaults.transformRequest);
    expect(config.timeout).toBe(1234);
    expect(tokenOf(config)).toBeUndefined();

    t.gate.resolve({ accessToken: NEW_ACCESS });
    const again = await t.instance.request({ ...config, signal: new AbortController().signal });
    expect(again.data).toEqual({ id: 7 });
    const sends = t.mock.history.filter((c) => c.url === '/aborted');
    expect(sends.map((c) => [tokenOf(c), c.data])).toEqual([
      [OLD_ACCESS, '{"id":7}'],
      [NEW_ACCESS, '{"id":7}'],
    ]);
  });

  it('rejects a request held in the request interceptor at once, and never sends it', async () => {
    const t = setup();
    const first = t.instance.get('/first');
    await flush();
    const controller = new AbortController();
    const held = start(t.instance.get('/held', { signal: controller.signal }));
    const other = t.instance.get('/other');
    await flush();
    expect(held.outcome).toBeUndefined();

    controller.abort();
    await flush();
    expectCancel(held.outcome);

    t.gate.resolve({ accessToken: NEW_ACCESS });
    await expect(first).resolves.toMatchObject({ data: '/first' });
    await expect(other).resolves.toMatchObject({ data: '/other' });
    await flush();
    expect(t.sentTo('/held')).toEqual([]);
    expect(t.sentTo('/other')).toEqual([NEW_ACCESS]);
  });

  it('does the same for a CancelToken', async () => {
    const t = setup();
    const refusedSource = axios.CancelToken.source();
    const heldSource = axios.CancelToken.source();
    const refused = start(t.instance.get('/refused', { cancelToken: refusedSource.token }));
    await flush();
    const held = start(t.instance.get('/held', { cancelToken: heldSource.token }));
    const other = t.instance.get('/other');
    await flush();

    refusedSource.cancel('user left');
    heldSource.cancel('user left');
    await flush();

    expectCancel(refused.outcome);
    expectCancel(held.outcome);
    expect((refused.outcome as { reason: Error }).reason.message).toBe('user left');

    t.gate.resolve({ accessToken: NEW_ACCESS });
    await expect(other).resolves.toMatchObject({ data: '/other' });
    await flush();
    expect(t.sentTo('/refused')).toEqual([OLD_ACCESS]);
    expect(t.sentTo('/held')).toEqual([]);
    expect(t.refresh).toHaveBeenCalledTimes(1);
  });

  it('does not cancel the shared refresh when every waiter aborts', async () => {
    const t = setup();
    const controller = new AbortController();
    const aborted = start(t.instance.get('/a', { signal: controller.signal }));
    await flush();
    controller.abort();
    await flush();
    expectCancel(aborted.outcome);
    expect(t.contexts[0]!.signal.aborted).toBe(false);

    t.gate.resolve({ accessToken: NEW_ACCESS });
    await expect(t.instance.get('/later')).resolves.toMatchObject({ data: '/later' });
    expect(t.sentTo('/later')).toEqual([NEW_ACCESS]);
    expect(t.refresh).toHaveBeenCalledTimes(1);
  });
  it('leaves no abort listener on the signal once the refresh it waited for settles', async () => {
    const t = setup();
    const controller = new AbortController();
    const refused = t.instance.get('/refused', { signal: controller.signal });
    await flush();
    const held = t.instance.get('/held', { signal: controller.signal });
    await flush();
    expect(getEventListeners(controller.signal, 'abort').length).toBeGreaterThan(0);

    t.gate.resolve({ accessToken: NEW_ACCESS });
    await expect(refused).resolves.toMatchObject({ data: '/refused' });
    await expect(held).resolves.toMatchObject({ data: '/held' });

    // One long-lived controller for many requests must not collect a listener per request.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
