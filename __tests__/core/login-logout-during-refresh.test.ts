/**
 * A login (setTokens) or a logout (clear) while a refresh, or a request, is still under way: the
 * refresh that was overtaken keeps nothing of its own, the new tokens get a refresh of their own,
 * and a logout is not undone by a refresh that was asked for earlier.
 */
import { attachBearerAuth, isSessionEndedError } from '../../src/index.js';
import {
  deferred,
  flush,
  NEW_ACCESS,
  NEWER_ACCESS,
  newInstance,
  OLD_ACCESS,
  settle,
  tokenOf,
} from './helpers.js';

/** A token from a second login, neither OLD nor any refresh result. */
const LOGIN_ACCESS = 'LOGINaccessKk3n5PqRr9wX';

type Result = { accessToken: string };

/** An instance whose session calls `refresh`; `/a` accepts only `accepted`. */
function setup(refresh: jest.Mock<Promise<Result>>, options: { refreshWhenEmpty?: boolean } = {}) {
  const { instance, mock } = newInstance();
  const { session } = attachBearerAuth(instance, {
    tokens: { accessToken: OLD_ACCESS },
    refresh,
    ...options,
  });
  return { instance, mock, session };
}

describe('a login while a refresh is in flight', () => {
  it('gets a refresh of its own, and requests sent meanwhile wait for that one', async () => {
    const overtakenResult = deferred<Result>();
    const ownResult = deferred<Result>();
    const refresh = jest
      .fn<Promise<Result>, []>()
      .mockReturnValueOnce(overtakenResult.promise)
      .mockReturnValueOnce(ownResult.promise);
    const { instance, mock, session } = setup(refresh);
    mock.onGet('/a').reply((config) => [tokenOf(config) === NEWER_ACCESS ? 200 : 401]);

    const overtaken = session.refresh();
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    await session.setTokens({ accessToken: LOGIN_ACCESS });
    const own = session.refresh();
    overtakenResult.resolve({ accessToken: NEW_ACCESS });
    await expect(overtaken).resolves.toEqual({ accessToken: LOGIN_ACCESS });
    await flush();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenLastCalledWith({ accessToken: LOGIN_ACCESS }, expect.anything());

    const request = instance.get('/a');
    await flush();
    expect(mock.history).toHaveLength(0);
    ownResult.resolve({ accessToken: NEWER_ACCESS });

    await expect(own).resolves.toEqual({ accessToken: NEWER_ACCESS });
    await expect(request).resolves.toMatchObject({ status: 200 });
    expect(mock.history.map(tokenOf)).toEqual([NEWER_ACCESS]);
  });
});

describe('a logout while a refresh is in flight', () => {
  it('is not undone by session.refresh() asked for after it', async () => {
    const result = deferred<Result>();
    const refresh = jest.fn<Promise<Result>, []>(() => result.promise);
    const { session } = setup(refresh);

    const overtaken = settle(session.refresh());
    await flush();
    await session.clear();
    const afterLogout = settle(session.refresh());
    result.resolve({ accessToken: NEW_ACCESS });

    const outcome = await afterLogout;
    expect(outcome.status).toBe('rejected');
    expect(isSessionEndedError((outcome as { reason: unknown }).reason)).toBe(true);
    expect(outcome).toMatchObject({ reason: { reason: 'logout' } });
    expect(await overtaken).toMatchObject({ status: 'rejected', reason: { reason: 'logout' } });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.getTokens()).toBeNull();
  });

  it('lets session.refresh() asked for after it join that refresh, which ends with a new login', async () => {
    const result = deferred<Result>();
    const refresh = jest.fn<Promise<Result>, []>(() => result.promise);
    const { session } = setup(refresh);

    void session.refresh().catch(() => undefined);
    await flush();
    await session.clear();
    const joined = session.refresh();
    await session.setTokens({ accessToken: LOGIN_ACCESS });
    result.resolve({ accessToken: NEW_ACCESS });

    await expect(joined).resolves.toEqual({ accessToken: LOGIN_ACCESS });
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});

describe('with refreshWhenEmpty, a refusal that arrives after a logout', () => {
  it('gets a new token from refresh(null) and is replayed with it', async () => {
    const refresh = jest.fn(async () => ({ accessToken: NEW_ACCESS }));
    const { instance, mock, session } = setup(refresh, { refreshWhenEmpty: true });
    const answer = deferred<[number]>();
    mock
      .onGet('/slow')
      .reply((config) => (tokenOf(config) === OLD_ACCESS ? answer.promise : [200]));

    const slow = instance.get('/slow');
    await flush();
    await session.clear();
    answer.resolve([401]);

    await expect(slow).resolves.toMatchObject({ status: 200 });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledWith(null, expect.objectContaining({ trigger: 'refusal' }));
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });
});
