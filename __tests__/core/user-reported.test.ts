/**
 * Regressions found by a fresh user trying to break the core from a clean clone. Each title says
 * what broke.
 */
import { inspect } from 'node:util';
import axios, { AxiosHeaders } from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  RefreshFailedError,
} from '../../src/index.js';
import { NEW_ACCESS, newInstance, OLD_ACCESS, OLD_REFRESH, settle, tokenOf } from './helpers.js';

const tokens = { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH };

describe('a token endpoint that fails at once', () => {
  it('is called once for a storm of 1,000 refusals, which all share its error', async () => {
    const { instance, mock } = newInstance();
    const refresh = jest.fn(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    });
    const onRefreshFailed = jest.fn();
    attachBearerAuth(instance, { tokens, refresh, onRefreshFailed });
    // Half the refusals come back only after the refresh has already failed, as they trickle in
    // from a real server: they were sent before it failed, so its failure is their answer too.
    let releaseLate!: () => void;
    const late = new Promise<void>((resolve) => (releaseLate = resolve));
    mock.onGet(/\/items\/\d+/).reply(async (config) => {
      if (Number(config.url!.split('/').pop()) >= 500) await late;
      return [401];
    });

    const pending = Array.from({ length: 1000 }, (_, i) => settle(instance.get(`/items/${i}`)));
    await Promise.all(pending.slice(0, 500));
    expect(refresh).toHaveBeenCalledTimes(1);
    releaseLate();
    const outcomes = await Promise.all(pending);

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    const errors = new Set(outcomes.map((outcome) => (outcome as { reason: unknown }).reason));
    expect(errors.size).toBe(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(mock.history).toHaveLength(1000);
  });

  it('is tried again by a request sent after the failure (the tokens were kept)', async () => {
    const { instance, mock } = newInstance();
    let calls = 0;
    const refresh = jest.fn(async () => {
      if (++calls === 1) throw new Error('temporarily down');
      return { accessToken: NEW_ACCESS };
    });
    attachBearerAuth(instance, { tokens, refresh });
    mock.onGet('/me').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200, 'me'] : [401]));

    await expect(instance.get('/me')).rejects.toBeInstanceOf(RefreshFailedError);
    await expect(instance.get('/me')).resolves.toMatchObject({ data: 'me' });
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it.each([
    [
      'AxiosHeaders.concat',
      (headers: AxiosHeaders) => AxiosHeaders.concat(headers, { 'X-Id': '1' }),
    ],
    ['a plain copy', (headers: AxiosHeaders) => ({ ...headers.toJSON(), 'X-Id': '1' })],
  ])(
    'is tried again after the failure when an interceptor running after ours replaces the headers with %s',
    async (_how, replace) => {
      const { instance, mock } = newInstance();
      instance.interceptors.request.use((config) => {
        config.headers = replace(config.headers) as AxiosHeaders;
        return config;
      });
      let calls = 0;
      const refresh = jest.fn(async () => {
        if (++calls === 1) throw new Error('temporarily down');
        return { accessToken: NEW_ACCESS };
      });
      attachBearerAuth(instance, { tokens, refresh });
      mock.onGet('/me').reply((config) => (tokenOf(config) === NEW_ACCESS ? [200, 'me'] : [401]));

      await expect(instance.get('/me')).rejects.toBeInstanceOf(RefreshFailedError);
      await expect(instance.get('/me')).resolves.toMatchObject({ data: 'me' });
      expect(refresh).toHaveBeenCalledTimes(2);
    },
  );

  it('is called once for a storm of 300 refusals when an interceptor running after ours copies the headers', async () => {
    const { instance, mock } = newInstance();
    instance.interceptors.request.use((config) => {
      config.headers = AxiosHeaders.concat(config.headers, { 'X-Id': '1' });
      return config;
    });
    const refresh = jest.fn(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    });
    attachBearerAuth(instance, { tokens, refresh });
    let releaseLate!: () => void;
    const late = new Promise<void>((resolve) => (releaseLate = resolve));
    mock.onGet(/\/items\/\d+/).reply(async (config) => {
      if (Number(config.url!.split('/').pop()) >= 150) await late;
      return [401];
    });

    const pending = Array.from({ length: 300 }, (_, i) => settle(instance.get(`/items/${i}`)));
    await Promise.all(pending.slice(0, 150));
    releaseLate();
    const outcomes = await Promise.all(pending);

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });

  it('shares a later failure with requests sent between two failures whose refusal comes late', async () => {
    const { instance, mock } = newInstance();
    const failures = [new Error('down (1)'), new Error('down (2)'), new Error('down (3)')];
    let calls = 0;
    const refresh = jest.fn(async () => {
      throw failures[calls++]!;
    });
    attachBearerAuth(instance, { tokens, refresh });
    let releaseLate!: () => void;
    const late = new Promise<void>((resolve) => (releaseLate = resolve));
    mock.onGet('/late').reply(async () => {
      await late;
      return [401];
    });
    mock.onGet('/me').reply(401);
    const causeOf = async (request: Promise<unknown>) =>
      ((await settle(request)) as { reason: RefreshFailedError }).reason.cause;

    expect(await causeOf(instance.get('/me'))).toMatchObject({ message: 'down (1)' });
    // Sent after the first failure, refused only after the second: the second is its answer.
    const lateOutcome = causeOf(instance.get('/late'));
    expect(await causeOf(instance.get('/me'))).toMatchObject({ message: 'down (2)' });
    releaseLate();
    expect(await lateOutcome).toMatchObject({ message: 'down (2)' });
    expect(refresh).toHaveBeenCalledTimes(2);
    // Sent after the second failure: tries again.
    expect(await causeOf(instance.get('/me'))).toMatchObject({ message: 'down (3)' });
    expect(refresh).toHaveBeenCalledTimes(3);
  });
});

describe('a custom transformRequest', () => {
  it('is not applied a second time to the replayed body', async () => {
    const { instance, mock } = newInstance();
    attachBearerAuth(instance, { tokens, refresh: async () => ({ accessToken: NEW_ACCESS }) });
    const bodies: string[] = [];
    mock.onPost('/orders').reply((config) => {
      bodies.push(config.data as string);
      return tokenOf(config) === NEW_ACCESS ? [201] : [401];
    });
    const envelope = (data: unknown) => JSON.stringify({ envelope: data });

    await instance.post('/orders', { id: 7 }, { transformRequest: [envelope] });

    expect(bodies).toEqual(['{"envelope":{"id":7}}', '{"envelope":{"id":7}}']);
  });
});

describe('the cancel error of a request aborted while it waits', () => {
  it('carries the config without the refused token', async () => {
    const { instance, mock } = newInstance();
    let fail!: (error: Error) => void;
    attachBearerAuth(instance, {
      tokens,
      refresh: () => new Promise<never>((_resolve, reject) => (fail = reject)),
    });
    mock.onGet('/me').reply(401);
    const controller = new AbortController();

    const outcome = settle(instance.get('/me', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const { reason } = (await outcome) as { reason: unknown };

    expect(axios.isCancel(reason)).toBe(true);
    expect(inspect(reason, { depth: 10, showHidden: true })).not.toContain(OLD_ACCESS);
    expect(JSON.stringify(reason)).not.toContain(OLD_ACCESS);
    expect((reason as { config?: { url?: string } }).config?.url).toBe('/me');
    fail(new Error('end of test'));
  });
});

describe('a request held up by an asynchronous interceptor of the user', () => {
  it('is not sent without a token when the session ends meanwhile', async () => {
    const { instance, mock } = newInstance();
    const session = createAuthSession({ tokens, refresh: async () => ({ accessToken: 'x' }) });
    attachBearerAuth(instance, session);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Registered after attaching, so axios runs it before the library's interceptors.
    instance.interceptors.request.use(async (config) => {
      await held;
      return config;
    });
    mock.onGet('/slow').reply(200);

    const outcome = settle(instance.get('/slow'));
    await session.clear();
    release();
    const { reason } = (await outcome) as { reason: unknown };

    expect(isSessionEndedError(reason)).toBe(true);
    expect(mock.history).toHaveLength(0);
  });
});

describe('an instance whose defaults already carry the header in another spelling', () => {
  it.each(['authorization', 'Authorization'])(
    'sends one %s header, ours, not two spellings',
    async (spelling) => {
      const { instance, mock } = newInstance({ headers: { [spelling]: 'Basic stale' } });
      attachBearerAuth(instance, { tokens, refresh: async () => ({ accessToken: NEW_ACCESS }) });
      let sent: Record<string, unknown> = {};
      mock.onGet('/me').reply((config) => {
        sent = AxiosHeaders.from(config.headers as AxiosHeaders).toJSON();
        return [200];
      });

      await instance.get('/me');

      const spellings = Object.keys(sent).filter((name) => name.toLowerCase() === 'authorization');
      expect(spellings).toHaveLength(1);
      expect(sent[spellings[0]!]).toBe(`Bearer ${OLD_ACCESS}`);
    },
  );
});
