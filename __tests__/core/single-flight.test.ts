import { attachBearerAuth, createAuthSession } from '../../src/index.js';
import {
  NEW_ACCESS,
  NEW_REFRESH,
  newInstance,
  OLD_ACCESS,
  OLD_REFRESH,
  tokenCounter,
} from './helpers.js';

const STORM = 1000;

describe('one refresh for any number of refusals', () => {
  it(`refreshes exactly once for ${STORM} concurrent requests refused with the old token`, async () => {
    const { instance, mock } = newInstance();
    const refresh = jest.fn(async () => ({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH }));
    const onReplay = jest.fn();
    const session = createAuthSession({
      tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
      refresh,
      onReplay,
    });
    attachBearerAuth(instance, session);
    const counter = tokenCounter();
    mock.onGet(/\/items\/\d+/).reply((config) => {
      const token = counter.record(config);
      return token === NEW_ACCESS ? [200, { id: config.url, ok: true }] : [401];
    });

    const responses = await Promise.all(
      Array.from({ length: STORM }, (_, i) => instance.get(`/items/${i}`)),
    );

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledWith(
      { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
      expect.objectContaining({ trigger: 'refusal' }),
    );
    expect(responses).toHaveLength(STORM);
    responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ id: `/items/${i}`, ok: true });
    });
    // Each request went out once with the old token and was replayed once with the new one.
    expect(Object.fromEntries(counter.seen)).toEqual({
      [OLD_ACCESS]: STORM,
      [NEW_ACCESS]: STORM,
    });
    expect(mock.history).toHaveLength(2 * STORM);
    expect(onReplay).toHaveBeenCalledTimes(STORM);
    expect(session.getTokens()).toEqual({ accessToken: NEW_ACCESS, refreshToken: NEW_REFRESH });
  });

  it('joins a manual session.refresh() to the refresh a refusal started', async () => {
    const { instance, mock } = newInstance();
    let release!: () => void;
    const refresh = jest.fn(
      () =>
        new Promise<{ accessToken: string }>((resolve) => {
          release = () => resolve({ accessToken: NEW_ACCESS });
        }),
    );
    const { session } = attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh,
    });
    const counter = tokenCounter();
    mock
      .onGet('/a')
      .reply((config) => (counter.record(config) === NEW_ACCESS ? [200, 'a'] : [401]));

    const request = instance.get('/a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(refresh).toHaveBeenCalledTimes(1);
    const manual = session.refresh();
    release();

    await expect(manual).resolves.toEqual({ accessToken: NEW_ACCESS });
    await expect(request).resolves.toMatchObject({ data: 'a' });
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
