import {
  attachBearerAuth,
  BearerAuthError,
  createAuthSession,
  ErrorCode,
  InvalidTokenResponseError,
  isBearerAuthError,
  isInvalidTokenResponseError,
  isNotReplayableError,
  isOAuthConfigurationError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  NotReplayableError,
  OAuthConfigurationError,
  RefreshFailedError,
  RefreshTimeoutError,
  SessionEndedError,
} from '../../src/index.js';
import { NEW_ACCESS, newInstance, OLD_ACCESS, OLD_REFRESH, settle, tokenOf } from './helpers.js';

/** The rejection of `promise` (failing the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await settle(promise);
  expect(outcome.status).toBe('rejected');
  return (outcome as { reason: Error }).reason;
}

// Messages are what a user reads in a log: each says what failed and what to do next.
describe('error messages say what failed and what to do', () => {
  it('BearerAuthError', () => {
    const error = new BearerAuthError('something failed', ErrorCode.REFRESH_FAILED);
    expect(error).toMatchObject({
      name: 'BearerAuthError',
      message: 'something failed',
      code: ErrorCode.REFRESH_FAILED,
    });
    expect(String(error)).toBe('BearerAuthError: something failed');
  });

  it('RefreshFailedError, with its default code and no status', () => {
    const error = new RefreshFailedError('Token refresh failed (boom); tokens kept.');
    expect(error).toMatchObject({
      name: 'RefreshFailedError',
      code: 'ERR_REFRESH_FAILED',
      status: undefined,
    });
    expect(error.cause).toBeUndefined();
  });

  it('RefreshTimeoutError', () => {
    expect(new RefreshTimeoutError(1500)).toMatchObject({
      name: 'RefreshTimeoutError',
      code: 'ERR_REFRESH_TIMEOUT',
      timeout: 1500,
      status: undefined,
      message:
        'Token refresh timed out after 1500 ms. If the refresh function calls an axios ' +
        'instance this session is attached to, pass { skipAuth: true } on that call.',
    });
  });

  it('InvalidTokenResponseError', () => {
    expect(new InvalidTokenResponseError('expiresAt', 'must be a number')).toMatchObject({
      name: 'InvalidTokenResponseError',
      code: 'ERR_INVALID_TOKEN_RESPONSE',
      field: 'expiresAt',
      message: 'Unusable refresh result: expiresAt must be a number.',
    });
  });

  it.each<[ConstructorParameters<typeof SessionEndedError>, string]>([
    [['no-tokens'], 'No tokens: call session.setTokens() after login.'],
    [['logout'], 'Logged out: call session.setTokens() after the next login.'],
    [['refresh-refused'], 'Refresh token refused: log in again, then call session.setTokens().'],
    [
      ['refresh-refused', { oauthError: 'invalid_grant' }],
      'Refresh token refused (invalid_grant): log in again, then call session.setTokens().',
    ],
  ])('SessionEndedError %j', (args, message) => {
    expect(new SessionEndedError(...args)).toMatchObject({
      name: 'SessionEndedError',
      code: 'ERR_SESSION_ENDED',
      reason: args[0],
      message,
    });
  });

  it('NotReplayableError', () => {
    expect(new NotReplayableError('a Node.js stream')).toMatchObject({
      name: 'NotReplayableError',
      code: 'ERR_NOT_REPLAYABLE',
      message:
        'Refused request not replayed: its body (a Node.js stream) can be read only once. The ' +
        'token is refreshed; send the request again with a new body.',
    });
  });

  it('OAuthConfigurationError, a refresh failure with the OAuth fields', () => {
    const cause = new Error('400');
    const error = new OAuthConfigurationError('Token request refused with invalid_client.', {
      cause,
      status: 401,
      oauthError: 'invalid_client',
      oauthErrorDescription: 'unknown client',
    });
    expect(error).toMatchObject({
      name: 'OAuthConfigurationError',
      code: 'ERR_OAUTH_CONFIGURATION',
      status: 401,
      oauthError: 'invalid_client',
      oauthErrorDescription: 'unknown client',
      cause,
    });
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(isOAuthConfigurationError(error)).toBe(true);
    expect(isRefreshFailedError(error)).toBe(true);
    expect(isBearerAuthError(error)).toBe(true);
    expect(isSessionEndedError(error)).toBe(false);
  });

  it('the guards of errors made in a test agree with the codes', () => {
    const made = [
      new RefreshFailedError('x'),
      new RefreshTimeoutError(1),
      new InvalidTokenResponseError('f', 'p'),
      new SessionEndedError('logout'),
      new NotReplayableError('w'),
    ];
    expect(made.map((error) => isRefreshFailedError(error))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(made.map((error) => isRefreshTimeoutError(error))).toEqual([
      false,
      true,
      false,
      false,
      false,
    ]);
    expect(made.map((error) => isInvalidTokenResponseError(error))).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
    expect(made.map((error) => isNotReplayableError(error))).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(made.every((error) => isBearerAuthError(error))).toBe(true);
    expect(isBearerAuthError({ code: 'ERR_REFRESH_FAILED' })).toBe(false);
  });
});

describe('the errors requests reject with carry those messages', () => {
  it('a refresh that throws: RefreshFailedError naming the cause, tokens kept', async () => {
    const { instance, mock } = newInstance();
    attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS, refreshToken: OLD_REFRESH },
      refresh: async () => {
        throw new Error('token service unreachable');
      },
    });
    mock.onGet('/a').reply(401);

    const error = await rejection(instance.get('/a'));

    expect(error).toMatchObject({
      name: 'RefreshFailedError',
      message: 'Token refresh failed (token service unreachable); tokens kept.',
      status: undefined,
    });
    expect(error.cause).toMatchObject({ message: 'token service unreachable' });
  });

  it('a request without tokens: SessionEndedError no-tokens', async () => {
    const { instance, mock } = newInstance();
    attachBearerAuth(instance, { refresh: async () => ({ accessToken: NEW_ACCESS }) });
    mock.onGet('/a').reply(200);

    const error = await rejection(instance.get('/a'));

    expect(error).toMatchObject({
      name: 'SessionEndedError',
      reason: 'no-tokens',
      message: 'No tokens: call session.setTokens() after login.',
    });
    expect(mock.history).toHaveLength(0);
  });

  it('a request after logout: SessionEndedError logout', async () => {
    const { instance, mock } = newInstance();
    const { session } = attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh: async () => ({ accessToken: NEW_ACCESS }),
    });
    mock.onGet('/a').reply(200);
    await session.clear();

    const error = await rejection(instance.get('/a'));

    expect(error).toMatchObject({
      reason: 'logout',
      message: 'Logged out: call session.setTokens() after the next login.',
    });
  });

  it('an unusable refresh result: InvalidTokenResponseError naming the field, not the value', async () => {
    const session = createAuthSession({
      tokens: { accessToken: OLD_ACCESS },
      refresh: async () => ({ accessToken: `${NEW_ACCESS} with spaces` }),
    });

    const error = await rejection(session.refresh());

    expect(error).toMatchObject({
      name: 'InvalidTokenResponseError',
      field: 'accessToken',
      message:
        'Unusable refresh result: accessToken has characters a bearer token cannot hold ' +
        '(RFC 6750: A-Z a-z 0-9 -._~+/ then =).',
    });
    expect(session.getTokens()).toEqual({ accessToken: OLD_ACCESS });
  });

  it('a refused replay is returned as it is: the axios error of the second 401', async () => {
    const { instance, mock } = newInstance();
    attachBearerAuth(instance, {
      tokens: { accessToken: OLD_ACCESS },
      refresh: async () => ({ accessToken: NEW_ACCESS }),
    });
    mock.onGet('/a').reply(401);

    const error = await rejection(instance.get('/a'));

    expect(error).toMatchObject({ isAxiosError: true, response: { status: 401 } });
    expect(mock.history.map(tokenOf)).toEqual([OLD_ACCESS, NEW_ACCESS]);
  });
});
