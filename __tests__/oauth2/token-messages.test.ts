import { clientCredentials, refreshTokenGrant } from '../../src/index.js';
import {
  ACCESS_1,
  ACCESS_2,
  CLIENT_SECRET,
  context,
  mockedInstance,
  REFRESH_1,
  TOKEN_ENDPOINT,
} from './mock-helpers.js';

const current = { accessToken: ACCESS_1, refreshToken: REFRESH_1 };

type Answer = (mock: ReturnType<typeof mockedInstance>['mock']) => void;

/** One refresh_token grant call against a token endpoint that answers so. */
function refreshFor(answer: Answer) {
  const { instance, mock } = mockedInstance();
  answer(mock);
  const refresh = refreshTokenGrant({
    tokenEndpoint: TOKEN_ENDPOINT,
    clientId: 'spa',
    axios: instance,
  });
  return refresh(current, context().context);
}

/** What the refresh_token grant rejects with when the token endpoint answers so. */
async function rejectionFor(answer: Answer): Promise<Error & Record<string, unknown>> {
  const outcome = await refreshFor(answer).then(
    () => 'resolved',
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error & Record<string, unknown>;
}

// The messages in full: they tell an operator what the token endpoint said and what to check.
describe('token endpoint failures read in full', () => {
  it.each([
    [
      'invalid_client',
      'the token endpoint did not accept the client credentials. Check clientId, clientSecret and clientAuthentication against the client registration',
    ],
    [
      'unauthorized_client',
      'the client may not use this grant. Check clientId, clientSecret and clientAuthentication, and the grant types allowed in the client registration',
    ],
    [
      'unsupported_grant_type',
      'the authorization server does not support this grant type, or it is not enabled',
    ],
    [
      'invalid_scope',
      'the requested scope is invalid, unknown or exceeds what was granted; check scope',
    ],
    [
      'invalid_target',
      'the requested resource or audience is invalid; check resource and audience',
    ],
    [
      'invalid_request',
      'the token request was rejected as malformed; check extraParams and clientAuthentication',
    ],
  ])('%s', async (code, advice) => {
    const error = await rejectionFor((mock) =>
      mock.onPost(TOKEN_ENDPOINT).reply(400, { error: code, error_description: 'see docs' }),
    );
    expect(error).toMatchObject({
      name: 'OAuthConfigurationError',
      status: 400,
      oauthError: code,
      oauthErrorDescription: 'see docs',
      message: `Token request (refresh_token grant) refused with ${code}: ${advice}. Retrying will not help; tokens kept.`,
    });
  });

  it('invalid_grant ends the session, naming the code', async () => {
    const error = await rejectionFor((mock) =>
      mock.onPost(TOKEN_ENDPOINT).reply(400, { error: 'invalid_grant' }),
    );
    expect(error).toMatchObject({
      name: 'SessionEndedError',
      reason: 'refresh-refused',
      oauthError: 'invalid_grant',
      oauthErrorDescription: undefined,
      message:
        'Refresh token refused (invalid_grant): log in again, then call session.setTokens().',
    });
  });

  it('another OAuth error code with a 5xx status is named with the status', async () => {
    const error = await rejectionFor((mock) =>
      mock.onPost(TOKEN_ENDPOINT).reply(503, { error: 'temporarily_unavailable' }),
    );
    expect(error).toMatchObject({
      name: 'RefreshFailedError',
      status: 503,
      message:
        'Token request (refresh_token grant) failed with status 503 (temporarily_unavailable). ' +
        'Tokens kept; the next expiring or refused request tries again.',
    });
  });

  it('an OAuth error code longer than 64 characters is left out', async () => {
    const error = await rejectionFor((mock) =>
      mock.onPost(TOKEN_ENDPOINT).reply(400, { error: 'x'.repeat(65) }),
    );
    expect(error).toMatchObject({
      name: 'RefreshFailedError',
      status: 400,
      message:
        'Token request (refresh_token grant) failed with status 400. Tokens kept; the next ' +
        'expiring or refused request tries again.',
    });
  });

  it('a network error', async () => {
    const error = await rejectionFor((mock) => mock.onPost(TOKEN_ENDPOINT).networkError());
    expect(error).toMatchObject({
      name: 'RefreshFailedError',
      status: undefined,
      message:
        'Token request (refresh_token grant) failed: Network Error. Tokens kept; the next ' +
        'expiring or refused request tries again.',
    });
  });

  it('names the client_credentials grant in its messages', async () => {
    const { instance, mock } = mockedInstance();
    mock.onPost(TOKEN_ENDPOINT).reply(500);
    const { refresh } = clientCredentials({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'svc',
      clientSecret: CLIENT_SECRET,
      axios: instance,
    });
    await expect(refresh(null, context('empty').context)).rejects.toMatchObject({
      message:
        'Token request (client_credentials grant) failed with status 500. Tokens kept; the ' +
        'next expiring or refused request tries again.',
    });
  });
});

describe('unusable token responses read in full', () => {
  const ok = { access_token: ACCESS_2, token_type: 'Bearer' };
  it.each<[string, number, unknown, Record<string, string>, string, string]>([
    [
      'an HTML page',
      200,
      '<html></html>',
      { 'content-type': 'text/html; charset=utf-8' },
      'the token response',
      'is not a JSON object (status 200, content type text/html)',
    ],
    [
      'no body and no content type',
      204,
      '',
      {},
      'the token response',
      'is not a JSON object (status 204, content type none)',
    ],
    [
      'JSON null',
      200,
      'null',
      { 'content-type': 'application/json' },
      'the token response',
      'is not a JSON object (status 200, content type application/json)',
    ],
    [
      'an empty content type',
      200,
      'OK',
      { 'content-type': '' },
      'the token response',
      'is not a JSON object (status 200, content type none)',
    ],
    [
      'a content type with a space before its parameters',
      200,
      'OK',
      { 'content-type': 'text/plain ; charset=utf-8' },
      'the token response',
      'is not a JSON object (status 200, content type text/plain)',
    ],
    [
      'no access_token',
      200,
      { token_type: 'Bearer' },
      {},
      'access_token',
      'is missing from the token response',
    ],
    [
      'a null access_token',
      200,
      { access_token: null, token_type: 'Bearer' },
      {},
      'access_token',
      'is missing from the token response',
    ],
    [
      'an empty access_token',
      200,
      { access_token: '', token_type: 'Bearer' },
      {},
      'access_token',
      'must be a non-empty string',
    ],
    [
      'no token_type',
      200,
      { access_token: ACCESS_2 },
      {},
      'token_type',
      'is missing from the token response',
    ],
    [
      'a token_type that is not Bearer',
      200,
      { access_token: ACCESS_2, token_type: 'mac' },
      {},
      'token_type',
      "is not Bearer ('mac'); only bearer tokens are supported",
    ],
    [
      'a token_type too odd to repeat',
      200,
      { access_token: ACCESS_2, token_type: 'N_A <script>' },
      {},
      'token_type',
      'is not Bearer; only bearer tokens are supported',
    ],
    [
      'a token_type that only ends like a word',
      200,
      { access_token: ACCESS_2, token_type: 'see <https://evil.example/x>, mac' },
      {},
      'token_type',
      'is not Bearer; only bearer tokens are supported',
    ],
    [
      'a negative expires_in',
      200,
      { ...ok, expires_in: -1 },
      {},
      'expires_in',
      'must be a number of seconds',
    ],
    [
      'an expires_in that is a decimal string',
      200,
      { ...ok, expires_in: '1.5' },
      {},
      'expires_in',
      'must be a number of seconds',
    ],
    [
      'an empty refresh_token',
      200,
      { ...ok, refresh_token: '' },
      {},
      'refresh_token',
      'must be a non-empty string',
    ],
  ])('%s', async (_title, status, body, headers, field, problem) => {
    const error = await rejectionFor((mock) =>
      mock.onPost(TOKEN_ENDPOINT).reply(status, body, headers),
    );
    expect(error).toMatchObject({
      name: 'InvalidTokenResponseError',
      field,
      message: `Unusable refresh result: ${field} ${problem}.`,
    });
  });

  it('accepts expires_in 0 and null fields it does not need', async () => {
    const refreshed = refreshFor((mock) =>
      mock
        .onPost(TOKEN_ENDPOINT)
        .reply(
          200,
          { ...ok, expires_in: 0, refresh_token: null },
          { 'content-type': 'text/plain' },
        ),
    );
    await expect(refreshed).resolves.toEqual({
      accessToken: ACCESS_2,
      expiresIn: 0,
    });
  });

  it('takes a null expires_in as an unknown lifetime', async () => {
    const refreshed = refreshFor((mock) =>
      mock.onPost(TOKEN_ENDPOINT).reply(200, { ...ok, expires_in: null }),
    );
    await expect(refreshed).resolves.toStrictEqual({
      accessToken: ACCESS_2,
    });
  });
});
