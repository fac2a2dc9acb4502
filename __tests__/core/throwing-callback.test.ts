import { attachBearerAuth } from '../../src/index.js';
import { boundedRefresh, NEW_ACCESS, newInstance, OLD_ACCESS, tokenOf } from './helpers.js';

// The library reports through callbacks only; one that throws must neither break the requests
// nor vanish, so its error is rethrown where the platform reports uncaught errors.
describe('an event callback that throws', () => {
  const rethrown: Array<() => void> = [];

  beforeEach(() => {
    rethrown.length = 0;
    // Hold the rethrowing tasks instead of letting them fail the test run as uncaught errors.
    jest.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      rethrown.push(task);
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('leaves the refresh and the replay alone, and its error is rethrown on a microtask', async () => {
    const { instance, mock } = newInstance();
    const thrown = new Error('listener bug');
    const refresh = boundedRefresh();
    attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh,
      onTokenRefreshed: () => {
        throw thrown;
      },
    });
    mock.onGet('/a').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200, 'ok'] : [401]));

    const response = await instance.get('/a');

    expect(response.data).toBe('ok');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(rethrown).toHaveLength(1);
    expect(rethrown[0]).toThrow(thrown);
  });
});
