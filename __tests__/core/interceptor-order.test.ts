import type { AxiosResponse } from 'axios';
import { attachBearerAuth } from '../../src/index.js';
import { boundedRefresh, NEW_ACCESS, newInstance, OLD_ACCESS, tokenOf } from './helpers.js';

// A replay is a request of its own, through every interceptor of the instance, and its result
// then returns into the refused request's chain at the library's place. Response interceptors
// that run before the library's (registered before attachBearerAuth) therefore see each answer
// once; those that run after it see a replayed answer twice. The README says so; these tests
// keep it true.
describe('response interceptors around a replay', () => {
  function refusingOldToken() {
    const { instance, mock } = newInstance();
    mock
      .onGet('/items')
      .reply((config) =>
        tokenOf(config) === NEW_ACCESS ? [200, { payload: { id: 1 } }] : [401, 'refused'],
      );
    return instance;
  }
  const unwrap = (response: AxiosResponse) => response.data as unknown;

  it('one registered before attachBearerAuth unwraps a replayed response once', async () => {
    const instance = refusingOldToken();
    const seen: unknown[] = [];
    instance.interceptors.response.use((response) => {
      seen.push(response.data);
      return unwrap(response) as AxiosResponse;
    });
    const refresh = boundedRefresh();
    attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });

    const result: unknown = await instance.get('/items');

    expect(result).toEqual({ payload: { id: 1 } });
    expect(seen).toEqual([{ payload: { id: 1 } }]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('one registered after attachBearerAuth runs on a replayed response twice', async () => {
    const instance = refusingOldToken();
    const refresh = boundedRefresh();
    attachBearerAuth(instance, { tokens: { accessToken: OLD_ACCESS }, refresh });
    const seen: unknown[] = [];
    instance.interceptors.response.use((response) => {
      seen.push(response.data);
      return unwrap(response) as AxiosResponse;
    });

    const result: unknown = await instance.get('/items');

    // Once in the replay's own chain, once more when the replay's result comes back.
    expect(seen).toEqual([{ payload: { id: 1 } }, undefined]);
    expect(result).toBeUndefined();
  });
});
