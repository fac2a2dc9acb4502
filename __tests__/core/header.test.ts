import axios, { AxiosError, type AxiosAdapter } from 'axios';
import { attachBearerAuth } from '../../src/index.js';
import {
  BASE_URL,
  boundedRefresh,
  headerOf,
  NEW_ACCESS,
  newInstance,
  OLD_ACCESS,
  OLD_REFRESH,
  tokenOf,
} from './helpers.js';

function setup(attachOptions: Parameters<typeof attachBearerAuth>[2] = {}) {
  const { instance, mock } = newInstance();
  const refresh = boundedRefresh();
  const handle = attachBearerAuth(
    instance,
    { tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH }, refresh },
    attachOptions,
  );
  return { instance, mock, refresh, handle };
}

describe('the bearer header', () => {
  it('sends Authorization: Bearer <current access token> on every request', async () => {
    const { instance, mock, refresh } = setup();
    mock.onAny().reply(200, 'ok');

    await instance.get('/a');
    await instance.post('/b', { x: 1 });
    await instance.put('/c', 'text');
    await instance.delete('/d');

    expect(mock.history).toHaveLength(4);
    for (const config of mock.history) expect(headerOf(config)).toBe(`Bearer ${OLD_ACCESS}`);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('hands a request whose token needs no wait to the adapter in the same tick, as plain axios does', async () => {
    const { instance, mock } = setup();
    mock.onGet('/a').reply(200);

    const response = instance.get('/a');

    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS]);
    await response;
  });

  it('sends the token the session holds now, after setTokens', async () => {
    const { instance, mock, handle } = setup();
    mock.onGet('/a').reply(200);

    await instance.get('/a');
    await handle.session.setTokens({ accessToken: NEW_ACCESS });
    await instance.get('/a');

    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });

  // The common case costs nothing but the header: axios dispatches at once, as with no
  // interceptor installed, when every request interceptor is synchronous.
  it('hands a request whose token can go now to the adapter in the same tick as the call', async () => {
    const sent: Array<string | undefined> = [];
    const adapter: AxiosAdapter = async (config) => {
      sent.push(tokenOf(config));
      return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
    };
    const instance = axios.create({ baseURL: BASE_URL, adapter });
    attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh: boundedRefresh() });

    const response = instance.get('/a');

    expect(sent).toEqual([OLD_ACCESS]);
    await expect(response).resolves.toMatchObject({ data: 'ok' });
  });

  // A header is one per name whatever its case: an interceptor that runs after the library's and
  // lists the headers (a request signer, say) must find one, with the token, not two.
  it.each([
    ['Authorization', 'authorization'],
    ['X-Api-Token', 'x-api-token'],
    ['x-api-token', 'X-Api-Token'],
    ['X-API-Token', 'X-Api-Token'],
  ])(
    'with headerName %s, sets the token in the header the request set as %s',
    async (headerName, spelling) => {
      const { instance, mock } = newInstance();
      const listed: unknown[] = [];
      // Registered before attaching, so it runs after the library's request side.
      instance.interceptors.request.use((config) => {
        listed.push(
          Object.entries(config.headers.toJSON()).filter(
            ([name]) => name.toLowerCase() === headerName.toLowerCase(),
          ),
        );
        return config;
      });
      attachBearerAuth(
        instance,
        { tokens: { accessToken: OLD_ACCESS }, refresh: boundedRefresh() },
        { headerName },
      );
      mock.onGet('/a').reply(200);

      await instance.get('/a', { headers: { [spelling]: 'Basic dXNlcg==' } });

      expect(listed).toEqual([[[spelling, `Bearer ${OLD_ACCESS}`]]]);
      expect(headerOf(mock.history[0]!, headerName)).toBe(`Bearer ${OLD_ACCESS}`);
    },
  );

  it('sends no Authorization header on a skipAuth request', async () => {
    const { instance, mock } = setup();
    mock.onGet('/public').reply(200, 'public');

    const response = await instance.get('/public', { skipAuth: true });

    expect(response.data).toBe('public');
    expect(mock.history).toHaveLength(1);
    expect(headerOf(mock.history[0]!)).toBeUndefined();
  });

  it('does not refresh or replay a skipAuth request that is answered 401', async () => {
    const { instance, mock, refresh } = setup();
    mock.onGet('/public').reply(401);

    const error: unknown = await instance.get('/public', { skipAuth: true }).catch((e) => e);

    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(refresh).not.toHaveBeenCalled();
    expect(mock.history).toHaveLength(1);
  });

  it('uses a custom header name and scheme', async () => {
    const { instance, mock } = setup({ headerName: 'X-Api-Token', scheme: 'Token' });
    mock.onGet('/a').reply(200);

    await instance.get('/a');

    expect(headerOf(mock.history[0]!, 'X-Api-Token')).toBe(`Token ${OLD_ACCESS}`);
    expect(headerOf(mock.history[0]!, 'Authorization')).toBeUndefined();
  });

  it('refreshes on a refusal of a token sent under a custom header and scheme', async () => {
    const { instance, mock, refresh } = setup({ headerName: 'X-Api-Token', scheme: 'Token' });
    mock
      .onGet('/a')
      .reply((config) =>
        headerOf(config, 'X-Api-Token') === `Token ${NEW_ACCESS}` ? [200, 'fresh'] : [401],
      );

    const response = await instance.get('/a');

    expect(response.data).toBe('fresh');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(mock.history.map((c) => headerOf(c, 'X-Api-Token'))).toEqual([
      `Token ${OLD_ACCESS}`,
      `Token ${NEW_ACCESS}`,
    ]);
  });

  // XMLHttpRequest.responseURL is '' when the browser does not know the final URL: no redirect
  // to judge, so the refusal counts.
  it('refreshes and replays a refusal whose request reports an empty responseURL', async () => {
    const sent: Array<string | undefined> = [];
    const adapter: AxiosAdapter = async (config) => {
      sent.push(tokenOf(config));
      const request = { responseURL: '' };
      const response = { data: {}, status: 401, statusText: '', headers: {}, config, request };
      if (tokenOf(config) === NEW_ACCESS) return { ...response, status: 200 };
      throw new AxiosError('Unauthorized', 'ERR_BAD_REQUEST', config, request, response);
    };
    const instance = axios.create({ baseURL: BASE_URL, adapter });
    const refresh = boundedRefresh();
    attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });

    await expect(instance.get('/a')).resolves.toMatchObject({ status: 200 });

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sent).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });

  it('passes on, without a refresh, a 401 that an earlier interceptor turned into its own error', async () => {
    // Shaped like an axios error (config, response), but not one.
    class ApiError extends Error {
      readonly config;
      readonly response;
      constructor(error: AxiosError) {
        super('API call failed');
        this.config = error.config;
        this.response = error.response;
      }
    }
    const { instance, mock } = newInstance();
    // Registered before attaching, so it sees the error first.
    instance.interceptors.response.use(undefined, (error: AxiosError) =>
      Promise.reject(new ApiError(error)),
    );
    const refresh = boundedRefresh();
    attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
    mock.onGet('/a').reply(401);

    await expect(instance.get('/a')).rejects.toBeInstanceOf(ApiError);

    expect(refresh).not.toHaveBeenCalled();
    expect(mock.history).toHaveLength(1);
  });

  it('sends the token on a skipRefresh request but returns its 401 without a refresh', async () => {
    const { instance, mock, refresh } = setup();
    mock.onGet('/a').reply(401, { error: 'nope' });

    const error: unknown = await instance.get('/a', { skipRefresh: true }).catch((e) => e);

    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(refresh).not.toHaveBeenCalled();
    expect(mock.history).toHaveLength(1);
    expect(tokenOf(mock.history[0]!)).toBe(OLD_ACCESS);
  });

  it('does not treat a 403 as a refusal by default', async () => {
    const { instance, mock, refresh } = setup();
    mock.onGet('/a').reply(403);

    await expect(instance.get('/a')).rejects.toMatchObject({ response: { status: 403 } });
    expect(refresh).not.toHaveBeenCalled();
    expect(mock.history).toHaveLength(1);
  });

  it('uses a custom isRefusal test', async () => {
    const { instance, mock, refresh } = setup({
      isRefusal: (error) => error.response?.status === 419,
    });
    mock.onGet('/a').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200] : [419]));

    await expect(instance.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
