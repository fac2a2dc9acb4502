import { AxiosError } from 'axios';
import { attachBearerAuth } from '../../src/index.js';
import {
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
