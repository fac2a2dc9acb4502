import type { AxiosInstance } from 'axios';
import { attachBearerAuth, createAuthSession } from '../../src/index.js';
import { headerOf, NEW_ACCESS, newInstance, OLD_ACCESS, tokenOf } from './helpers.js';

/** How many interceptors are installed (axios leaves `null` where one was ejected). */
function installed(instance: AxiosInstance) {
  const count = (manager: unknown) =>
    (manager as { handlers: unknown[] }).handlers.filter((h) => h !== null).length;
  return {
    request: count(instance.interceptors.request),
    response: count(instance.interceptors.response),
  };
}

function setup() {
  const { instance, mock } = newInstance();
  const refresh = jest.fn(async () => ({ accessToken: NEW_ACCESS }));
  const seenByUser: string[] = [];
  // The user's own interceptors, one installed before attaching and one after.
  instance.interceptors.request.use((config) => {
    config.headers.set('X-User-Before', 'yes');
    return config;
  });
  const handle = attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
  instance.interceptors.request.use((config) => {
    config.headers.set('X-User-After', 'yes');
    return config;
  });
  instance.interceptors.response.use(
    (response) => {
      seenByUser.push(`ok ${response.status}`);
      return response;
    },
    (error: { response?: { status: number } }) => {
      seenByUser.push(`error ${error.response?.status}`);
      return Promise.reject(error);
    },
  );
  mock.onGet('/a').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200] : [401]));
  return { instance, mock, refresh, handle, seenByUser };
}

describe('eject()', () => {
  it('removes exactly the interceptors attachBearerAuth added', async () => {
    const { instance } = newInstance();
    instance.interceptors.request.use((c) => c);
    instance.interceptors.response.use((r) => r);
    const before = installed(instance);

    const handle = attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh: async () => ({ accessToken: NEW_ACCESS }),
    });
    const attached = installed(instance);
    handle.eject();

    expect(attached.request).toBeGreaterThan(before.request);
    expect(attached.response).toBe(before.response + 1);
    expect(installed(instance)).toEqual(before);
  });

  it("leaves the user's own request and response interceptors working", async () => {
    const { instance, mock, refresh, handle, seenByUser } = setup();

    await instance.get('/a');
    expect(refresh).toHaveBeenCalledTimes(1);
    handle.eject();
    mock.resetHistory();

    const error: unknown = await instance.get('/a').catch((e) => e);

    expect(error).toMatchObject({ response: { status: 401 } });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(mock.history).toHaveLength(1);
    const sent = mock.history[0]!;
    expect(headerOf(sent)).toBeUndefined();
    expect(headerOf(sent, 'X-User-Before')).toBe('yes');
    expect(headerOf(sent, 'X-User-After')).toBe('yes');
    expect(seenByUser.at(-1)).toBe('error 401');
  });

  it('is safe to call twice', () => {
    const { instance, handle } = setup();
    handle.eject();
    const after = installed(instance);

    handle.eject();

    expect(installed(instance)).toEqual(after);
    expect(after).toEqual({ request: 2, response: 1 });
  });

  it('called again after a new attachment, leaves that attachment in place and guarded', async () => {
    const { instance, mock, handle } = setup();
    handle.eject();
    const again = attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh: async () => ({ accessToken: NEW_ACCESS }),
    });

    handle.eject();

    expect(() => attachBearerAuth(instance, again.session)).toThrow(/already attached/);
    await instance.get('/a');
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });

  it('allows attaching again afterwards, with one set of interceptors', async () => {
    const { instance, mock, handle } = setup();
    handle.eject();
    const refresh = jest.fn(async () => ({ accessToken: NEW_ACCESS }));

    const again = attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
    await instance.get('/a');

    expect(again.session).not.toBe(handle.session);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });
});

describe('attaching twice to one instance', () => {
  it('throws a TypeError that says to eject first, and installs nothing more', () => {
    const { instance, handle } = setup();
    const before = installed(instance);
    const other = createAuthSession({ refresh: async () => ({ accessToken: NEW_ACCESS }) });

    expect(() => attachBearerAuth(instance, handle.session)).toThrow(TypeError);
    expect(() => attachBearerAuth(instance, other)).toThrow(/already.*attached[\s\S]*eject/i);
    expect(installed(instance)).toEqual(before);
  });

  it('keeps the first attachment working after the refused second one', async () => {
    const { instance, mock, refresh } = setup();
    expect(() =>
      attachBearerAuth(instance, { refresh: async () => ({ accessToken: 'other' }) }),
    ).toThrow(TypeError);

    await instance.get('/a');

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });
});
