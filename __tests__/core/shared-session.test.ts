import { attachBearerAuth, createAuthSession } from '../../src/index.js';
import { deferred, flush, NEW_ACCESS, newInstance, OLD_ACCESS, tokenCounter } from './helpers.js';

describe('one session attached to two instances', () => {
  function setup() {
    const gate = deferred<{ accessToken: string }>();
    const refresh = jest.fn(() => gate.promise);
    const session = createAuthSession({ tokens: { accessToken: OLD_ACCESS }, refresh });
    const a = newInstance();
    const b = newInstance({ baseURL: 'http://127.0.0.1:9/other-api' });
    const handleA = attachBearerAuth(a.instance, session);
    const handleB = attachBearerAuth(b.instance, session);
    const counter = tokenCounter();
    for (const { mock } of [a, b]) {
      mock.onGet(/.*/).reply((config) => (counter.record(config) === NEW_ACCESS ? [200] : [401]));
    }
    return { gate, refresh, session, a, b, handleA, handleB, counter };
  }

  it('hands both instances the same session', () => {
    const t = setup();
    expect(t.handleA.session).toBe(t.session);
    expect(t.handleB.session).toBe(t.session);
  });

  it('makes one refresh for 401 storms on both instances', async () => {
    const t = setup();

    const requests = Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? t.a : t.b).instance.get(`/r/${i}`),
    );
    await flush();
    expect(t.refresh).toHaveBeenCalledTimes(1);
    t.gate.resolve({ accessToken: NEW_ACCESS });
    const responses = await Promise.all(requests);

    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(t.refresh).toHaveBeenCalledTimes(1);
    expect(Object.fromEntries(t.counter.seen)).toEqual({ [OLD_ACCESS]: 200, [NEW_ACCESS]: 200 });
    expect(t.a.mock.history).toHaveLength(200);
    expect(t.b.mock.history).toHaveLength(200);
  });

  it('holds requests on one instance while the other instance refreshes', async () => {
    const t = setup();
    const refused = t.a.instance.get('/x');
    await flush();
    const held = t.b.instance.get('/y');
    await flush();
    expect(t.b.mock.history).toHaveLength(0);

    t.gate.resolve({ accessToken: NEW_ACCESS });
    await Promise.all([refused, held]);

    expect(t.refresh).toHaveBeenCalledTimes(1);
    expect(t.counter.seen.get(NEW_ACCESS)).toBe(2);
  });

  it('keeps serving the other instance after one is ejected', async () => {
    const t = setup();
    t.handleA.eject();
    t.gate.resolve({ accessToken: NEW_ACCESS });

    await expect(t.b.instance.get('/y')).resolves.toMatchObject({ status: 200 });
    expect(t.refresh).toHaveBeenCalledTimes(1);
  });
});
