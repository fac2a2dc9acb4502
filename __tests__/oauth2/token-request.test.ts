import axios, { type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import {
  attachBearerAuth,
  clientCredentials,
  createAuthSession,
  refreshTokenGrant,
} from '../../src/index.js';
import { startTestServer } from '../helpers/test-server.js';
import {
  ACCESS_1,
  ACCESS_2,
  API_URL,
  CLIENT_SECRET,
  context,
  headerOf,
  mockedInstance,
  REFRESH_1,
  REFRESH_2,
  TOKEN_ENDPOINT,
} from './mock-helpers.js';

const OK = { access_token: ACCESS_2, token_type: 'Bearer', expires_in: 60 };

/** A token endpoint that records what it receives and answers `OK`. */
function endpoint() {
  const { instance, mock } = mockedInstance();
  const seen: AxiosRequestConfig[] = [];
  mock.onPost(TOKEN_ENDPOINT).reply((config) => {
    seen.push(config);
    return [200, JSON.stringify(OK), { 'content-type': 'application/json' }];
  });
  return { instance, mock, seen };
}

const current = { accessToken: ACCESS_1, refreshToken: REFRESH_1 };

describe('refresh token grant request (RFC 6749 §6)', () => {
  test('client_secret_basic is the default with a secret: form-encoded id and secret in a Basic header, not in the body', async () => {
    const { instance, seen } = endpoint();
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'my client:1',
      clientSecret: 'p@ss:w%rd é+',
      axios: instance,
    });
    await refresh(current, context().context);
    expect(seen).toHaveLength(1);
    const config = seen[0]!;
    expect(config.method).toBe('post');
    expect(config.data).toBe(`grant_type=refresh_token&refresh_token=${REFRESH_1}`);
    // RFC 6749 §2.3.1: application/x-www-form-urlencoded each, then Base64.
    const expected = Buffer.from('my+client%3A1:p%40ss%3Aw%25rd+%C3%A9%2B').toString('base64');
    expect(headerOf(config, 'Authorization')).toBe(`Basic ${expected}`);
    expect(headerOf(config, 'Content-Type')).toBe('application/x-www-form-urlencoded');
    expect(headerOf(config, 'Accept')).toBe('application/json');
  });

  test('client_secret_post sends client_id and client_secret in the body and no Authorization header', async () => {
    const { instance, seen } = endpoint();
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'backend',
      clientSecret: CLIENT_SECRET,
      clientAuthentication: 'client_secret_post',
      axios: instance,
    });
    await refresh(current, context().context);
    expect(seen[0]!.data).toBe(
      `grant_type=refresh_token&refresh_token=${REFRESH_1}&client_id=backend&client_secret=${CLIENT_SECRET}`,
    );
    expect(headerOf(seen[0]!, 'Authorization')).toBeUndefined();
  });

  test('none (a public client) is the default without a secret: only client_id identifies it', async () => {
    const { instance, seen } = endpoint();
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'spa',
      axios: instance,
    });
    await refresh(current, context().context);
    expect(seen[0]!.data).toBe(`grant_type=refresh_token&refresh_token=${REFRESH_1}&client_id=spa`);
    expect(headerOf(seen[0]!, 'Authorization')).toBeUndefined();
  });

  test('sends scope (a list joined by spaces) and extra parameters, repeated for lists, form-encoded', async () => {
    const { instance, seen } = endpoint();
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'spa',
      scope: ['openid', 'api:read'],
      extraParams: { resource: ['https://a.example/', 'https://b.example/'], tenant: 'x&y=z' },
      axios: instance,
    });
    await refresh(current, context().context);
    expect(seen[0]!.data).toBe(
      `grant_type=refresh_token&refresh_token=${REFRESH_1}&scope=openid+api%3Aread&client_id=spa` +
        '&resource=https%3A%2F%2Fa.example%2F&resource=https%3A%2F%2Fb.example%2F&tenant=x%26y%3Dz',
    );
  });

  test.each<[string, string | string[]]>([
    ['an empty list', []],
    ['blanks', '  '],
  ])('sends no scope parameter for a scope of %s', async (_what, scope) => {
    const { instance, seen } = endpoint();
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'spa',
      scope,
      axios: instance,
    });
    await refresh(current, context().context);
    expect(seen[0]!.data).toBe(`grant_type=refresh_token&refresh_token=${REFRESH_1}&client_id=spa`);
  });

  test('passes the refresh signal to axios, marks the call skipAuth and follows no redirect', async () => {
    const { instance, seen } = endpoint();
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'spa',
      axios: instance,
    });
    const { controller, context: ctx } = context();
    await refresh(current, ctx);
    expect(seen[0]!.signal).toBe(controller.signal);
    expect(seen[0]!.skipAuth).toBe(true);
    expect(seen[0]!.maxRedirects).toBe(0);
  });

  test('an aborted signal stops the token request before it is sent', async () => {
    const { instance, mock } = mockedInstance();
    mock.onPost(TOKEN_ENDPOINT).reply(200, OK);
    const refresh = refreshTokenGrant({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'spa',
      axios: instance,
    });
    const { controller, context: ctx } = context();
    controller.abort();
    await expect(refresh(current, ctx)).rejects.toMatchObject({
      name: 'RefreshFailedError',
      cause: { code: 'ERR_CANCELED' },
    });
    expect(mock.history['post']).toHaveLength(0);
  });

  test('by default sends through a bare instance: interceptors of the global axios never see the refresh token', async () => {
    // The global mock adapter is inherited by axios.create(), its interceptors are not.
    const globalMock = new MockAdapter(axios, { onNoMatch: 'throwException' });
    const seenByInterceptor: string[] = [];
    const id = axios.interceptors.request.use((config) => {
      seenByInterceptor.push(String(config.data));
      return config;
    });
    try {
      const seen: AxiosRequestConfig[] = [];
      globalMock.onPost(TOKEN_ENDPOINT).reply((config) => {
        seen.push(config);
        return [200, OK];
      });
      const refresh = refreshTokenGrant({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'spa' });
      await expect(refresh(current, context().context)).resolves.toMatchObject({
        accessToken: ACCESS_2,
      });
      expect(seen).toHaveLength(1);
      expect(seenByInterceptor).toEqual([]);
    } finally {
      axios.interceptors.request.eject(id);
      globalMock.restore();
    }
  });

  test('through an instance the session is attached to, the token request carries no bearer token and the refused request is replayed', async () => {
    const { instance: api, mock } = mockedInstance({ baseURL: API_URL });
    const tokenRequests: AxiosRequestConfig[] = [];
    mock.onPost(TOKEN_ENDPOINT).reply((config) => {
      tokenRequests.push(config);
      return [200, { ...OK, refresh_token: REFRESH_2 }];
    });
    mock
      .onGet(`${API_URL}/me`)
      .reply((config) =>
        headerOf(config, 'Authorization') === `Bearer ${ACCESS_2}` ? [200, 'me'] : [401],
      );
    const { session } = attachBearerAuth(api, {
      tokens: current,
      refresh: refreshTokenGrant({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'spa', axios: api }),
    });
    await expect(api.get('/me')).resolves.toMatchObject({ data: 'me' });
    expect(tokenRequests).toHaveLength(1);
    expect(headerOf(tokenRequests[0]!, 'Authorization')).toBeUndefined();
    expect(session.getTokens()).toMatchObject({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
  });

  test('an instance baseURL is not put in front of the token endpoint URL', async () => {
    const { instance, mock } = mockedInstance({ baseURL: API_URL });
    const urls: string[] = [];
    mock.onPost(TOKEN_ENDPOINT).reply((config) => {
      urls.push(String(config.url));
      return [200, OK];
    });
    const refresh = refreshTokenGrant({
      tokenEndpoint: new URL(TOKEN_ENDPOINT),
      clientId: 'spa',
      axios: instance,
    });
    await refresh(current, context().context);
    expect(urls).toEqual([TOKEN_ENDPOINT]);
  });

  test('an instance baseURL is not put in front of the token endpoint URL on the wire', async () => {
    const server = await startTestServer();
    try {
      const refresh = refreshTokenGrant({
        tokenEndpoint: server.tokenUrl,
        clientId: 'spa',
        axios: axios.create({ baseURL: `${server.origin}/api`, proxy: false }),
      });
      const tokens = await refresh(server.login(), context().context);
      expect(tokens.accessToken).toMatch(/^at-/);
      expect(server.requests.map((request) => request.url)).toEqual(['/token']);
    } finally {
      await server.close();
    }
  });
});

describe('client credentials grant request (RFC 6749 §4.4)', () => {
  test('sends grant_type, audience, each resource and scope with Basic client authentication', async () => {
    const { instance, seen } = endpoint();
    const { refresh, refreshWhenEmpty } = clientCredentials({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'worker',
      clientSecret: CLIENT_SECRET,
      scope: 'api:read api:write',
      audience: 'https://api.example/',
      resource: ['urn:a', 'urn:b'],
      axios: instance,
    });
    expect(refreshWhenEmpty).toBe(true);
    await refresh(null, context('empty').context);
    expect(seen[0]!.data).toBe(
      'grant_type=client_credentials&audience=https%3A%2F%2Fapi.example%2F&resource=urn%3Aa' +
        '&resource=urn%3Ab&scope=api%3Aread+api%3Awrite',
    );
    expect(headerOf(seen[0]!, 'Authorization')).toBe(
      `Basic ${Buffer.from(`worker:${CLIENT_SECRET}`).toString('base64')}`,
    );
  });

  test('client_secret_post puts the credentials in the body', async () => {
    const { instance, seen } = endpoint();
    const { refresh } = clientCredentials({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'worker',
      clientSecret: CLIENT_SECRET,
      clientAuthentication: 'client_secret_post',
      axios: instance,
    });
    await refresh(null, context('empty').context);
    expect(seen[0]!.data).toBe(
      `grant_type=client_credentials&client_id=worker&client_secret=${CLIENT_SECRET}`,
    );
    expect(headerOf(seen[0]!, 'Authorization')).toBeUndefined();
  });

  test('a session made from it gets a token on the first request, once for concurrent requests', async () => {
    const { instance: tokenClient, mock: tokenMock } = mockedInstance();
    let issued = 0;
    tokenMock.onPost(TOKEN_ENDPOINT).reply(() => {
      issued++;
      return [200, { access_token: `${ACCESS_1}${issued}`, token_type: 'bearer', expires_in: 60 }];
    });
    const { instance: api, mock } = mockedInstance({ baseURL: API_URL });
    mock.onGet(`${API_URL}/jobs`).reply((config) => [200, headerOf(config, 'Authorization')]);
    attachBearerAuth(
      api,
      createAuthSession(
        clientCredentials({
          tokenEndpoint: TOKEN_ENDPOINT,
          clientId: 'worker',
          clientSecret: CLIENT_SECRET,
          axios: tokenClient,
        }),
      ),
    );
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.get('/jobs')));
    expect(issued).toBe(1);
    expect(new Set(answers.map((a) => a.data as string))).toEqual(new Set([`Bearer ${ACCESS_1}1`]));
  });

  test('a refresh_token in a client credentials answer is not kept (RFC 6749 §4.4.3)', async () => {
    const { instance, mock } = mockedInstance();
    mock.onPost(TOKEN_ENDPOINT).reply(200, { ...OK, refresh_token: REFRESH_2 });
    const session = createAuthSession(
      clientCredentials({
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'w',
        clientSecret: CLIENT_SECRET,
        axios: instance,
      }),
    );
    await session.refresh();
    expect(session.getTokens()).toEqual({ accessToken: ACCESS_2, expiresAt: expect.any(Number) });
  });
});
