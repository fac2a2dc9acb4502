import {
  createAuthSession,
  ErrorCode,
  isOAuthConfigurationError,
  isRefreshFailedError,
  isSessionEndedError,
  OAuthConfigurationError,
  RefreshFailedError,
  refreshTokenGrant,
  SessionEndedError,
  type ClientAuthentication,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  ALL_SECRETS,
  CLIENT_SECRET,
  everythingIn,
  expectNoSecret,
  mockedInstance,
  REFRESH_1,
  settle,
  TOKEN_ENDPOINT,
} from './mock-helpers.js';

/** A session with tokens whose refresh goes to a mocked token endpoint. */
function setup(clientAuthentication: ClientAuthentication = 'client_secret_basic') {
  const { instance, mock } = mockedInstance();
  const onSessionEnded = jest.fn();
  const onRefreshFailed = jest.fn();
  const session = createAuthSession({
    tokens: { accessToken: ACCESS_1, refreshToken: REFRESH_1 },
    refresh: refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'app',
      ...(clientAuthentication === 'none' ? {} : { clientSecret: CLIENT_SECRET }),
      clientAuthentication,
      axios: instance,
    }),
    onSessionEnded,
    onRefreshFailed,
  });
  return { session, mock, onSessionEnded, onRefreshFailed };
}

async function failure(promise: Promise<unknown>) {
  const outcome = await settle(promise);
  expect(outcome.status).toBe('rejected');
  const error = (outcome as { reason: unknown }).reason;
  expectNoSecret(everythingIn(error), ALL_SECRETS);
  return error;
}

/** A description that echoes every secret, as a careless server might. */
const LEAKY_DESCRIPTION = `token ${REFRESH_1} for ${ACCESS_1} with ${CLIENT_SECRET} is not valid`;

describe('token endpoint errors (RFC 6749 §5.2)', () => {
  test('invalid_grant ends the session with the OAuth code and a scrubbed description', async () => {
    const { session, mock, onSessionEnded } = setup();
    mock
      .onPost(TOKEN_ENDPOINT)
      .reply(400, { error: 'invalid_grant', error_description: LEAKY_DESCRIPTION });
    const waiting = Array.from({ length: 5 }, () => failure(session.refresh()));
    const errors = await Promise.all(waiting);
    const error = errors[0] as SessionEndedError;
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(error).toMatchObject({
      code: ErrorCode.SESSION_ENDED,
      reason: 'refresh-refused',
      oauthError: 'invalid_grant',
      oauthErrorDescription: 'token [redacted] for [redacted] with [redacted] is not valid',
    });
    expect(error.message).toMatch(/invalid_grant/);
    expect(new Set(errors)).toEqual(new Set([error]));
    expect(mock.history['post']).toHaveLength(1);
    expect(session.getTokens()).toBeNull();
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  test.each(['invalid_client', 'unauthorized_client'])(
    '%s is an OAuthConfigurationError telling to check the client credentials; the tokens are kept',
    async (code) => {
      const { session, mock, onSessionEnded, onRefreshFailed } = setup();
      mock.onPost(TOKEN_ENDPOINT).reply(401, { error: code, error_description: LEAKY_DESCRIPTION });
      const error = (await failure(session.refresh())) as OAuthConfigurationError;
      expect(error).toBeInstanceOf(OAuthConfigurationError);
      expect(error).toBeInstanceOf(RefreshFailedError);
      expect(isOAuthConfigurationError(error)).toBe(true);
      expect(isRefreshFailedError(error)).toBe(true);
      expect(isSessionEndedError(error)).toBe(false);
      expect(error).toMatchObject({
        name: 'OAuthConfigurationError',
        code: 'ERR_OAUTH_CONFIGURATION',
        status: 401,
        oauthError: code,
        oauthErrorDescription: 'token [redacted] for [redacted] with [redacted] is not valid',
      });
      expect(error.message).toContain(`refused with ${code}`);
      expect(error.message).toContain('Check clientId, clientSecret and clientAuthentication');
      expect(session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
      expect(onSessionEnded).not.toHaveBeenCalled();
      expect(onRefreshFailed).toHaveBeenCalledWith({ error, sessionEnded: false });
      expect(mock.history['post']).toHaveLength(1);
    },
  );

  test.each([
    ['invalid_scope', /check scope/],
    ['unsupported_grant_type', /does not support this grant type/],
    ['invalid_request', /rejected as malformed/],
    ['invalid_target', /check resource and audience/],
  ])('%s is a configuration error too', async (code, advice) => {
    const { session, mock } = setup('none');
    mock.onPost(TOKEN_ENDPOINT).reply(400, { error: code });
    const error = (await failure(session.refresh())) as OAuthConfigurationError;
    expect(error).toMatchObject({ code: 'ERR_OAUTH_CONFIGURATION', oauthError: code, status: 400 });
    expect(error.message).toMatch(advice);
    expect(session.getTokens()).not.toBeNull();
  });

  test.each([500, 502, 503, 429])(
    'a %i is transient: RefreshFailedError with the status, tokens kept, the next refresh succeeds',
    async (status) => {
      const { session, mock, onSessionEnded } = setup();
      mock
        .onPost(TOKEN_ENDPOINT)
        .replyOnce(status, { error: 'server_error', error_description: LEAKY_DESCRIPTION })
        .onPost(TOKEN_ENDPOINT)
        .replyOnce(200, { access_token: ACCESS_2, token_type: 'Bearer' });
      const error = (await failure(session.refresh())) as RefreshFailedError;
      expect(error).toMatchObject({
        name: 'RefreshFailedError',
        code: ErrorCode.REFRESH_FAILED,
        status,
      });
      expect(error.message).toContain(`failed with status ${status}`);
      expect(session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
      await expect(session.refresh()).resolves.toMatchObject({ accessToken: ACCESS_2 });
      expect(onSessionEnded).not.toHaveBeenCalled();
    },
  );

  test.each([300, 302])(
    'a %i is a failure, not tokens, even with a token in its body: no redirect is followed',
    async (status) => {
      const { session, mock } = setup();
      mock
        .onPost(TOKEN_ENDPOINT)
        .reply(
          status,
          { access_token: ACCESS_2, token_type: 'Bearer' },
          { location: '/elsewhere' },
        );
      const error = await failure(session.refresh());
      expect(error).toMatchObject({ code: ErrorCode.REFRESH_FAILED, status });
      expect(session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_1 });
    },
  );

  test('a 400 without an OAuth error body (a proxy page) is transient, not a logout', async () => {
    const { session, mock } = setup();
    mock.onPost(TOKEN_ENDPOINT).reply(400, '<html>Bad Request</html>');
    const error = await failure(session.refresh());
    expect(error).toMatchObject({ code: ErrorCode.REFRESH_FAILED, status: 400 });
    expect(session.getTokens()).not.toBeNull();
  });

  test('a network error is transient and names no secret', async () => {
    const { session, mock } = setup('client_secret_post');
    mock.onPost(TOKEN_ENDPOINT).networkError();
    const error = (await failure(session.refresh())) as RefreshFailedError;
    expect(error).toMatchObject({ code: ErrorCode.REFRESH_FAILED, status: undefined });
    expect(error.message).toMatch(/^Token request \(refresh_token grant\) failed: Network Error/);
    expect((error.cause as { url?: string }).url).toBe(TOKEN_ENDPOINT);
    expect(session.getTokens()).not.toBeNull();
  });

  test('an axios timeout is transient', async () => {
    const { session, mock } = setup();
    mock.onPost(TOKEN_ENDPOINT).timeout();
    const error = await failure(session.refresh());
    expect(error).toMatchObject({ code: ErrorCode.REFRESH_FAILED });
    expect((error as Error & { cause: { code?: string } }).cause.code).toBe('ECONNABORTED');
    expect(session.getTokens()).not.toBeNull();
  });

  test('a session without a refresh token ends on its first refresh, with no token request', async () => {
    const { instance, mock } = mockedInstance();
    const session = createAuthSession({
      tokens: { accessToken: ACCESS_1 },
      refresh: refreshTokenGrant({
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'spa',
        axios: instance,
      }),
    });
    await expect(session.refresh()).rejects.toMatchObject({ code: ErrorCode.SESSION_ENDED });
    expect(mock.history['post']).toHaveLength(0);
    expect(session.getTokens()).toBeNull();
  });

  test('an error code with characters outside RFC 6749 is not put in the message', async () => {
    const { session, mock } = setup();
    mock.onPost(TOKEN_ENDPOINT).reply(503, { error: 'oops"\n<script>' });
    const error = (await failure(session.refresh())) as Error;
    expect(error.message).toBe(
      'Token request (refresh_token grant) failed with status 503. Tokens kept; the next expiring ' +
        'or refused request tries again.',
    );
  });
});
