import { attachBearerAuth } from '../../src/index.js';
import {
  deferred,
  flush,
  NEW_ACCESS,
  NEWER_ACCESS,
  newInstance,
  OLD_ACCESS,
  tokenCounter,
  tokenOf,
} from './helpers.js';

function setup() {
  const { instance, mock } = newInstance();
  const gate = deferred<{ accessToken: string }>();
  const refresh = jest.fn(() => gate.promise);
  const handle = attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
  return { instance, mock, gate, refresh, handle };
}

describe('the queue while a refresh is in flight', () => {
  it('holds a request sent during the refresh and sends it once, with the new token', async () => {
    const { instance, mock, gate, refresh } = setup();
    const counter = tokenCounter();
    mock.onGet('/first').reply((config) => (counter.record(config) === NEW_ACCESS ? [200] : [401]));
    mock.onGet('/queued').reply((config) => [200, { token: tokenOf(config) }]);

    const first = instance.get('/first');
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);

    const queued = instance.get('/queued');
    await flush();
    // Still held: the refresh has not settled.
    expect(mock.history.filter((c) => c.url === '/queued')).toHaveLength(0);

    gate.resolve({ accessToken: NEW_ACCESS });
    await expect(queued).resolves.toMatchObject({ status: 200, data: { token: NEW_ACCESS } });
    await expect(first).resolves.toMatchObject({ status: 200 });

    const sentQueued = mock.history.filter((c) => c.url === '/queued');
    expect(sentQueued).toHaveLength(1);
    expect(tokenOf(sentQueued[0]!)).toBe(NEW_ACCESS);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('holds many requests sent during the refresh and sends each exactly once', async () => {
    const { instance, mock, gate, refresh } = setup();
    const counter = tokenCounter();
    mock.onGet(/.*/).reply((config) => (counter.record(config) === NEW_ACCESS ? [200] : [401]));

    const first = instance.get('/first');
    await flush();
    const queued = Array.from({ length: 50 }, (_, i) => instance.get(`/queued/${i}`));
    await flush();
    expect(mock.history).toHaveLength(1);

    gate.resolve({ accessToken: NEW_ACCESS });
    await Promise.all([first, ...queued]);

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(Object.fromEntries(counter.seen)).toEqual({ [OLD_ACCESS]: 1, [NEW_ACCESS]: 51 });
  });

  it('replays a late 401 of the old token at once with the current one, without a second refresh', async () => {
    const { instance, mock, gate, refresh } = setup();
    const slowAnswer = deferred<[number]>();
    const slowTokens: Array<string | undefined> = [];
    mock.onGet('/slow').reply((config) => {
      const token = tokenOf(config);
      slowTokens.push(token);
      // The first answer (to the old token) is held until the refresh has completed.
      return token === OLD_ACCESS ? slowAnswer.promise : [200, 'slow ok'];
    });
    mock.onGet('/fast').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200] : [401]));

    const slow = instance.get('/slow');
    await flush();
    expect(slowTokens).toEqual([OLD_ACCESS]);

    const fast = instance.get('/fast');
    await flush();
    gate.resolve({ accessToken: NEW_ACCESS });
    await expect(fast).resolves.toMatchObject({ status: 200 });
    expect(refresh).toHaveBeenCalledTimes(1);

    // The refresh is over; now the old token's refusal arrives.
    slowAnswer.resolve([401]);
    await expect(slow).resolves.toMatchObject({ status: 200, data: 'slow ok' });

    expect(slowTokens).toEqual([OLD_ACCESS, NEW_ACCESS]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('holds a late 401 of an older token that arrives during the next refresh until that one settles', async () => {
    const { instance, mock } = newInstance();
    const second = deferred<{ accessToken: string }>();
    const refresh = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: NEW_ACCESS })
      .mockReturnValueOnce(second.promise);
    const onReplay = jest.fn();
    const { session } = attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh,
      onReplay,
    });
    const slowAnswer = deferred<[number]>();
    mock
      .onGet('/slow')
      .reply((config) => (tokenOf(config) === OLD_ACCESS ? slowAnswer.promise : [200]));
    mock.onGet('/a').reply((config) => [tokenOf(config) === NEWER_ACCESS ? 200 : 401]);

    const slow = instance.get('/slow');
    await flush();
    await session.refresh();
    const current = instance.get('/a'); // NEW_ACCESS is refused: the second refresh starts
    await flush();
    slowAnswer.resolve([401]);
    await flush();
    expect(onReplay).not.toHaveBeenCalled();

    second.resolve({ accessToken: NEWER_ACCESS });
    await expect(slow).resolves.toMatchObject({ status: 200 });
    await expect(current).resolves.toMatchObject({ status: 200 });
    const fingerprints = onReplay.mock.calls.map(
      ([event]) => (event as { fingerprint: string }).fingerprint,
    );
    expect(fingerprints).toHaveLength(2);
    expect(fingerprints[0]).toBe(fingerprints[1]);
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS, NEWER_ACCESS, NEWER_ACCESS]);
  });

  it('refreshes again when the current (new) token is refused later', async () => {
    const { instance, mock, refresh } = setup();
    refresh
      .mockResolvedValueOnce({ accessToken: NEW_ACCESS })
      .mockResolvedValueOnce({ accessToken: NEWER_ACCESS });
    let accepted = NEW_ACCESS;
    mock.onGet('/a').reply((config) => (tokenOf(config) === accepted ? [200] : [401]));

    await instance.get('/a');
    accepted = NEWER_ACCESS;
    await instance.get('/a');

    expect(refresh).toHaveBeenCalledTimes(2);
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS, NEW_ACCESS, NEWER_ACCESS]);
  });
});
