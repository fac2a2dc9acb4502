import {
  createAuthSession,
  isInvalidTokenResponseError,
  refreshTokenGrant,
  type InvalidTokenResponseError,
} from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  context,
  everythingIn,
  expectNoSecret,
  mockedInstance,
  REFRESH_1,
  REFRESH_2,
  TOKEN_ENDPOINT,
} from './mock-helpers.js';

const current = { accessToken: ACCESS_1, refreshToken: REFRESH_1 };

/** A refresh function whose token endpoint answers `status`, `body` and `headers`. */
function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const { instance, mock } = mockedInstance();
  mock.onPost(TOKEN_ENDPOINT).reply(status, body, headers);
  return refreshTokenGrant({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'spa', axios: instance });
}

async function invalidResponse(status: number, body: unknown, headers?: Record<string, string>) {
  const error = await answering(
    status,
    body,
    headers,
  )(current, context().context).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isInvalidTokenResponseError(error)).toBe(true);
  expectNoSecret(everythingIn(error));
  return error as InvalidTokenResponseError;
}

describe('token responses (RFC 6749 §5.1)', () => {
  test('maps access_token, expires_in and refresh_token; token_type Bearer in any case', async () => {
    for (const tokenType of ['Bearer', 'bearer', 'BEARER']) {
      const body = JSON.stringify({
        access_token: ACCESS_2,
        token_type: tokenType,
        expires_in: 300,
        refresh_token: REFRESH_2,
        scope: 'openid',
      });
      await expect(
        answering(200, body, { 'content-type': 'application/json' })(current, context().context),
      ).resolves.toEqual({ accessToken: ACCESS_2, expiresIn: 300, refreshToken: REFRESH_2 });
    }
  });

  test('reads JSON whatever the content type says, and expires_in sent as a string', async () => {
    const body = JSON.stringify({ access_token: ACCESS_2, token_type: 'Bearer', expires_in: '60' });
    await expect(
      answering(200, body, { 'content-type': 'text/plain' })(current, context().context),
    ).resolves.toEqual({ accessToken: ACCESS_2, expiresIn: 60 });
  });

  test('a session keeps the old refresh token when the answer has none, and takes a rotated one', async () => {
    const { instance, mock } = mockedInstance();
    mock
      .onPost(TOKEN_ENDPOINT)
      .replyOnce(200, { access_token: ACCESS_2, token_type: 'Bearer' })
      .onPost(TOKEN_ENDPOINT)
      .replyOnce(200, { access_token: ACCESS_1, token_type: 'Bearer', refresh_token: REFRESH_2 })
      .onPost(TOKEN_ENDPOINT)
      .replyOnce(200, { access_token: ACCESS_2, token_type: 'Bearer' });
    const session = createAuthSession({
      tokens: current,
      refresh: refreshTokenGrant({
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'spa',
        axios: instance,
      }),
    });
    await session.refresh();
    expect(session.getTokens()).toEqual({ accessToken: ACCESS_2, refreshToken: REFRESH_1 });
    await session.refresh();
    expect(session.getTokens()).toEqual({ accessToken: ACCESS_1, refreshToken: REFRESH_2 });
    await session.refresh();
    expect(mock.history['post']!.map((config) => config.data as string)).toEqual([
      `grant_type=refresh_token&refresh_token=${REFRESH_1}&client_id=spa`,
      `grant_type=refresh_token&refresh_token=${REFRESH_1}&client_id=spa`,
      `grant_type=refresh_token&refresh_token=${REFRESH_2}&client_id=spa`,
    ]);
  });

  test('expires_in becomes expiresAt counted from the start of the refresh', async () => {
    const { instance, mock } = mockedInstance();
    mock
      .onPost(TOKEN_ENDPOINT)
      .reply(200, { access_token: ACCESS_2, token_type: 'Bearer', expires_in: 120 });
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    try {
      const session = createAuthSession({
        tokens: current,
        refresh: refreshTokenGrant({
          tokenEndpoint: TOKEN_ENDPOINT,
          clientId: 'spa',
          axios: instance,
        }),
      });
      await session.refresh();
      expect(session.getTokens()?.expiresAt).toBe(1_700_000_000_000 + 120_000);
    } finally {
      now.mockRestore();
    }
  });

  test('a 200 that is not JSON is an InvalidTokenResponseError naming the body and its content type', async () => {
    const error = await invalidResponse(200, '<html>login</html>', {
      'content-type': 'text/html; charset=utf-8',
    });
    expect(error.field).toBe('the token response');
    expect(error.message).toBe(
      'Unusable refresh result: the token response is not a JSON object (status 200, content type text/html).',
    );
  });

  test('a JSON array or string is not a token response', async () => {
    expect((await invalidResponse(200, '[1]')).field).toBe('the token response');
    expect((await invalidResponse(200, `"${ACCESS_2}"`)).field).toBe('the token response');
  });

  test('a 200 without access_token names access_token', async () => {
    const error = await invalidResponse(200, { token_type: 'Bearer', refresh_token: REFRESH_2 });
    expect(error.field).toBe('access_token');
    expect(error.message).toMatch(/access_token is missing from the token response/);
  });

  test('an access_token that is not a non-empty string is refused', async () => {
    expect((await invalidResponse(200, { access_token: '', token_type: 'Bearer' })).field).toBe(
      'access_token',
    );
    expect((await invalidResponse(200, { access_token: 42, token_type: 'Bearer' })).field).toBe(
      'access_token',
    );
  });

  test('a missing token_type is refused', async () => {
    const error = await invalidResponse(200, { access_token: ACCESS_2 });
    expect(error.field).toBe('token_type');
    expect(error.message).toMatch(/token_type is missing/);
  });

  test('a token_type other than Bearer (DPoP, MAC) is refused', async () => {
    const error = await invalidResponse(200, { access_token: ACCESS_2, token_type: 'DPoP' });
    expect(error.field).toBe('token_type');
    expect(error.message).toMatch(/token_type is not Bearer \('DPoP'\)/);
  });

  test('malformed expires_in and refresh_token are refused by name', async () => {
    const base = { access_token: ACCESS_2, token_type: 'Bearer' };
    expect((await invalidResponse(200, { ...base, expires_in: 'soon' })).field).toBe('expires_in');
    expect((await invalidResponse(200, { ...base, expires_in: -1 })).field).toBe('expires_in');
    expect((await invalidResponse(200, { ...base, refresh_token: 7 })).field).toBe('refresh_token');
  });

  test('an access token with characters a bearer token cannot hold is refused by the session', async () => {
    const { instance, mock } = mockedInstance();
    mock.onPost(TOKEN_ENDPOINT).reply(200, { access_token: 'a b', token_type: 'Bearer' });
    const session = createAuthSession({
      tokens: current,
      refresh: refreshTokenGrant({
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'spa',
        axios: instance,
      }),
    });
    await expect(session.refresh()).rejects.toMatchObject({ field: 'accessToken' });
    expect(session.getTokens()).toEqual(current);
  });
});
