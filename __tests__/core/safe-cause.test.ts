import type { AxiosRequestConfig } from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  SessionEndedError,
  type RefreshFunction,
} from '../../src/index.js';
import { NEW_ACCESS, newInstance, OLD_ACCESS, OLD_REFRESH, settle } from './helpers.js';

/** The error a manual refresh rejects with when the refresh function fails with `failure`. */
async function refreshFailure(refresh: RefreshFunction): Promise<Error & Record<string, unknown>> {
  const session = createAuthSession({
    tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
    refresh,
  });
  const outcome = await settle(session.refresh());
  expect(outcome.status).toBe('rejected');
  return (outcome as { reason: Error & Record<string, unknown> }).reason;
}

/** The cause of a failed refresh whose token request, sent on `baseURL`, got a 500. */
async function causeOfFailedRequest(baseURL: string, config: AxiosRequestConfig) {
  const { instance: tokenClient, mock } = newInstance({ baseURL });
  mock.onAny().reply(500);
  const error = await refreshFailure(async () => {
    await tokenClient.request(config);
    return { accessToken: NEW_ACCESS };
  });
  return error.cause;
}

/** The messages along an error's cause chain, the error itself first. */
function causeMessages(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    messages.push(current.message);
  }
  return messages;
}

// The cause attached to a failed refresh keeps what helps diagnose it and drops the rest.
describe('the cause of a failed refresh', () => {
  it('keeps a cause chain four levels deep and drops what is deeper', async () => {
    let deepest: Error = new Error('level 6');
    for (let level = 5; level >= 1; level--) {
      deepest = new Error(`level ${level}`, { cause: deepest });
    }
    const error = await refreshFailure(async () => {
      throw new Error('level 0', { cause: deepest });
    });

    expect(causeMessages(error.cause)).toEqual([
      'level 0',
      'level 1',
      'level 2',
      'level 3',
      'level 4',
    ]);
  });

  it('keeps name, string and numeric codes; an error without a name is called Error', async () => {
    const named = Object.assign(new Error('refused'), { name: 'TokenServiceError', code: 'E_TS' });
    const numbered = Object.assign(new Error('numbered'), { code: 503 });
    const nameless = Object.assign(new Error('nameless'), { name: 7 });

    const errors = await Promise.all(
      [named, numbered, nameless].map((thrown) =>
        refreshFailure(async () => {
          throw thrown;
        }),
      ),
    );

    expect(errors.map((error) => error.cause)).toEqual([
      expect.objectContaining({ name: 'TokenServiceError', code: 'E_TS', message: 'refused' }),
      expect.objectContaining({ name: 'Error', code: 503, message: 'numbered' }),
      expect.objectContaining({ name: 'Error', message: 'nameless' }),
    ]);
    expect(typeof (errors[0]!.cause as Error).stack).toBe('string');
  });

  it('scrubs tokens of four characters or more, as written and URL-encoded', async () => {
    const session = createAuthSession({
      tokens: { accessToken: 'abc', refreshToken: 'r/t+' },
      refresh: async () => {
        throw new Error('sent abc and r/t+ and r%2Ft%2B');
      },
    });
    const outcome = await settle(session.refresh());

    // 'abc' is too short to tell from ordinary text; the refresh token is scrubbed in both forms.
    expect((outcome as { reason: Error }).reason.message).toBe(
      'Token refresh failed (sent abc and [redacted] and [redacted]); tokens kept.',
    );
  });

  it('of an axios error: status, method and URL without query or user info', async () => {
    const { instance: tokenClient, mock } = newInstance();
    mock
      .onPost(/token/)
      .reply(503, { error: 'temporarily_unavailable', error_description: 'later' });
    const error = await refreshFailure(async () => {
      const { data } = await tokenClient.post(
        'http://client:secret@127.0.0.1:9/oauth//token?x=1#f',
        {
          refresh_token: OLD_REFRESH,
        },
      );
      return data as { accessToken: string };
    });

    expect(error).toMatchObject({ name: 'RefreshFailedError', status: 503 });
    expect(error.cause).toMatchObject({
      status: 503,
      method: 'POST',
      url: 'http://127.0.0.1:9/oauth//token',
      oauthError: 'temporarily_unavailable',
      oauthErrorDescription: 'later',
    });
  });

  it.each([
    [
      'a relative URL on the instance baseURL',
      'http://127.0.0.1:9/api/',
      '/token',
      'http://127.0.0.1:9/api/token',
    ],
    [
      'a baseURL without a trailing slash',
      'http://127.0.0.1:9/api',
      'token',
      'http://127.0.0.1:9/api/token',
    ],
    [
      'a baseURL ending in two slashes',
      'http://127.0.0.1:9/api//',
      '/token',
      'http://127.0.0.1:9/api/token',
    ],
    ['an empty URL', 'http://127.0.0.1:9/api/token', '', 'http://127.0.0.1:9/api/token'],
    [
      'a protocol-relative URL',
      'http://127.0.0.1:9/api',
      '//127.0.0.1:9/token',
      '//127.0.0.1:9/token',
    ],
    [
      'a relative URL with a path',
      'http://127.0.0.1:9/api',
      'oauth/token',
      'http://127.0.0.1:9/api/oauth/token',
    ],
    [
      'a relative URL with two slashes inside',
      'http://127.0.0.1:9/api',
      '/oauth//token',
      'http://127.0.0.1:9/api/oauth//token',
    ],
  ])('names the URL of %s as axios joins it', async (_title, baseURL, url, expected) => {
    const cause = await causeOfFailedRequest(baseURL, { method: 'put', url });

    expect(cause).toMatchObject({ method: 'PUT', url: expected, status: 500 });
  });

  it('names the baseURL of a request sent without a URL', async () => {
    const cause = await causeOfFailedRequest('http://127.0.0.1:9/api/token', { method: 'put' });

    expect(cause).toMatchObject({ url: 'http://127.0.0.1:9/api/token' });
  });

  it('drops the user info of an absolute URL whose scheme has a digit', async () => {
    const cause = await causeOfFailedRequest('http://127.0.0.1:9/api', {
      url: 'web+s3://key:secret@127.0.0.1:9/token',
    });

    expect(cause).toMatchObject({ url: 'web+s3://127.0.0.1:9/token' });
  });

  it.each([
    ['an HTML page', '<html>bad gateway</html>'],
    ['null', null],
  ])('of an axios error whose body is %s has no OAuth fields', async (_title, body) => {
    const { instance, mock } = newInstance();
    attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh: async () => {
        await instance.post('/token', 'x', { skipAuth: true });
        return { accessToken: NEW_ACCESS };
      },
    });
    mock.onPost('/token').reply(502, body);
    mock.onGet('/a').reply(401);

    const outcome = await settle(instance.get('/a'));
    const cause = (outcome as { reason: Error }).reason.cause as Record<string, unknown>;

    expect(cause).toMatchObject({ status: 502, method: 'POST' });
    expect('oauthError' in cause).toBe(false);
    expect('oauthErrorDescription' in cause).toBe(false);
  });

  it('of something that only looks like an axios error keeps no status or URL', async () => {
    const error = await refreshFailure(async () => {
      throw Object.assign(new Error('fake'), {
        isAxiosError: 'yes',
        response: { status: 500 },
        config: { url: 'http://127.0.0.1:9/x' },
      });
    });

    expect(error.cause).toMatchObject({ message: 'fake' });
    expect(error.cause).not.toHaveProperty('status');
    expect(error.cause).not.toHaveProperty('url');
    expect(error.status).toBeUndefined();
  });

  it.each([null, undefined])('of a refresh rejecting with %p names it', async (thrown) => {
    const error = await refreshFailure(() => Promise.reject(thrown));

    expect(error).toMatchObject({
      name: 'RefreshFailedError',
      message: `Token refresh failed (${String(thrown)}); tokens kept.`,
    });
  });

  it('of an error without a cause has no cause either', async () => {
    const error = await refreshFailure(async () => {
      throw new Error('alone');
    });

    expect(error.cause).toMatchObject({ message: 'alone' });
    expect(error.cause).not.toHaveProperty('cause');
  });

  it('of a thrown object without a stack has an empty stack, not one inside this library', async () => {
    const error = await refreshFailure(() => Promise.reject({ message: 'plain' }));

    expect(error.cause).toMatchObject({ message: 'plain', stack: '' });
  });

  it('of a SessionEndedError from the refresh function is its own cause, scrubbed, if any', async () => {
    const [withCause, withoutCause] = await Promise.all(
      [new Error(`refused ${OLD_REFRESH}`), undefined].map((cause) =>
        refreshFailure(async () => {
          throw new SessionEndedError('refresh-refused', { cause });
        }),
      ),
    );

    expect(withCause).toMatchObject({ name: 'SessionEndedError' });
    expect((withCause!.cause as Error).message).toBe('refused [redacted]');
    expect(withoutCause).toMatchObject({ name: 'SessionEndedError' });
    expect(withoutCause!.cause).toBeUndefined();
  });
});
