// `npm run demo -- --oauth`: the demo's token server is a real OAuth 2 authorization server,
// oidc-provider (the certified OpenID Connect server), run in this process on 127.0.0.1.
//
// It returns the TokenServer described in token-server.mjs, with one addition:
//
//   expiriesCrossed(): number of access token generations seen at their end: presented to the API
//                      after they had run out, or brought back to the provider to be refreshed
//                      when they had run out or were within `refreshLeeway` of running out (the
//                      window in which the session renews a token whose expiry it knows)
//
// - One public client (token_endpoint_auth_method `none`, PKCE required), refresh token rotation
//   on: every refresh grant returns a new refresh token and spends the old one.
// - Access tokens are JWTs (ES256) for one resource server, with `expires_in` in the token
//   response: unlike the built-in token server, the client knows when each token runs out and the
//   library renews it before sending, so the API may refuse nothing. A JWT's `iat` and `exp` are
//   whole seconds, so the provider's TTL is `accessTokenLifetime` rounded up plus one second: each
//   token lives at least `accessTokenLifetime` and at most one second more.
// - The first refresh token comes from a scripted authorization code flow with PKCE against the
//   provider (the user "logs in" and consents at the interaction endpoint), not from a fake.
// - The API checks each token with jose against the provider's JWKS, fetched from its jwks_uri:
//   signature, `typ` at+jwt, issuer, audience and expiry.
// - The session refreshes with the library's own `refreshTokenGrant`.
import axios from 'axios';
import { refreshTokenGrant } from 'axios-bearer-refresh';
import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { URLSearchParams } from 'node:url';

const API_RESOURCE = 'urn:axios-bearer-refresh:demo-api';
const API_SCOPE = 'api:read';
const CLIENT_ID = 'demo-browser-app';
const REDIRECT_URI = 'http://127.0.0.1/callback';

/**
 * Notices oidc-provider prints that say nothing about this run: it prefers Node 22 (it works on
 * Node 20, which this package supports), and its in-memory adapter is not for production (the
 * demo wants exactly that). Only these two are dropped; every other line still reaches stderr.
 */
const PROVIDER_NOISE = [
  'oidc-provider WARNING: Unsupported runtime.',
  'oidc-provider WARNING: a quick start development-only in-memory adapter is used',
];

async function withoutProviderNoise(action) {
  const warn = console.warn;
  console.warn = (...args) => {
    const text = typeof args[0] === 'string' ? args[0] : '';
    if (PROVIDER_NOISE.some((notice) => text.includes(notice))) return;
    warn(...args);
  };
  try {
    return await action();
  } finally {
    console.warn = warn;
  }
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

function shut(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * @param {{ accessTokenLifetime: number, refreshLeeway: number }} options the shortest lifetime of
 *   an access token, and the session's `refreshLeeway`, in ms
 */
export async function startOAuthTokenServer({ accessTokenLifetime, refreshLeeway }) {
  const ttl = Math.ceil(accessTokenLifetime / 1000) + 1;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'demo', alg: 'ES256' };

  let handle = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const providerServer = createServer((req, res) => handle(req, res));
  const port = await listen(providerServer);
  const issuer = `http://127.0.0.1:${port}`;
  /** Closes the provider's server if setting up fails, so that nothing is left listening. */
  const closeOnFailure = (promise) =>
    promise.catch(async (error) => {
      await shut(providerServer);
      throw error;
    });

  const provider = await closeOnFailure(
    withoutProviderNoise(async () => {
      const { default: Provider, errors } = await import('oidc-provider');
      return new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT_ID,
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: [REDIRECT_URI],
          },
        ],
        jwks: { keys: [signingKey] },
        clientDefaults: { id_token_signed_response_alg: 'ES256' },
        cookies: { keys: [randomBytes(16).toString('base64url')] },
        scopes: ['openid', 'offline_access', API_SCOPE],
        findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        features: {
          devInteractions: { enabled: false },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => API_RESOURCE,
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx, resource) => {
              if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
              return {
                scope: API_SCOPE,
                audience: API_RESOURCE,
                accessTokenTTL: ttl,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'ES256' } },
              };
            },
          },
        },
        pkce: { required: () => true },
        rotateRefreshToken: true,
        ttl: {
          AccessToken: ttl,
          AuthorizationCode: 60,
          IdToken: 3600,
          Interaction: 3600,
          Session: 3600,
          Grant: 3600,
          RefreshToken: 3600,
        },
      });
    }),
  );

  // The provider's records of what it issued: access token generations, in order.
  /** jti -> generation */
  const generations = new Map();
  /** { id, expiresAt } of the newest access token */
  let newest = { id: 0, expiresAt: 0 };
  let refreshes = 0;
  /** ids of generations seen after they had run out */
  const crossed = new Set();

  provider.on('grant.success', (ctx) => {
    const grantType = ctx.oidc?.params?.grant_type;
    const accessToken = ctx.body?.access_token;
    if (typeof accessToken !== 'string') return;
    if (grantType === 'refresh_token') {
      refreshes++;
      // The token being replaced had run out, or was due for renewal: a refresh the client needed.
      if (Date.now() >= newest.expiresAt - refreshLeeway) crossed.add(newest.id);
    }
    const { jti, exp } = decodeJwt(accessToken);
    newest = { id: generations.size + 1, expiresAt: exp * 1000 };
    generations.set(jti, newest.id);
  });
  provider.on('server_error', (_ctx, error) => {
    console.error(`demo: oidc-provider server error: ${error?.message ?? error}`);
  });

  const callback = provider.callback();
  handle = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      finishInteraction(req, res).catch((error) => {
        res.statusCode = 500;
        res.end(String(error?.message ?? error));
      });
      return;
    }
    callback(req, res);
  };

  /** The user "logs in" as demo-user and consents to what the client asked for. */
  async function finishInteraction(req, res) {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({
      accountId: 'demo-user',
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(`openid offline_access ${API_SCOPE}`);
    grant.addResourceScope(API_RESOURCE, API_SCOPE);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: 'demo-user' }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  const http = axios.create({ proxy: false, timeout: 5000 });
  const { discovery, keys } = await closeOnFailure(
    (async () => {
      const { data } = await http.get(`${issuer}/.well-known/openid-configuration`);
      const endpoints = [data.jwks_uri, data.token_endpoint, data.authorization_endpoint];
      if (!endpoints.every((url) => typeof url === 'string' && url.startsWith(`${issuer}/`))) {
        throw new Error('the provider published endpoints outside its own origin');
      }
      const { data: jwks } = await http.get(data.jwks_uri);
      return { discovery: data, keys: createLocalJWKSet(jwks) };
    })(),
  );
  const tokenUrl = discovery.token_endpoint;

  /** The authorization code flow with PKCE, as a browser would run it, scripted. */
  async function login() {
    const browser = axios.create({
      proxy: false,
      timeout: 5000,
      maxRedirects: 0,
      validateStatus: (status) => status < 400,
    });
    const jar = new Map();
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: `openid offline_access ${API_SCOPE}`,
      resource: API_RESOURCE,
      prompt: 'consent',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    let location = `${discovery.authorization_endpoint}?${query}`;
    for (let hop = 0; !location.startsWith(REDIRECT_URI); hop++) {
      if (hop === 6) throw new Error(`login did not reach the redirect URI: ${location}`);
      const url = new URL(location, issuer);
      if (url.origin !== issuer) throw new Error(`login left the provider: ${url.origin}`);
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await browser.get(url.href, { headers: { cookie } });
      for (const line of response.headers['set-cookie'] ?? []) {
        const pair = line.split(';')[0];
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
        if (value) jar.set(name, value);
        else jar.delete(name);
      }
      location = String(response.headers.location);
    }
    const code = new URL(location).searchParams.get('code');
    if (!code) throw new Error(`no code in the redirect: ${location}`);
    const { data } = await http.post(
      tokenUrl,
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        client_id: CLIENT_ID,
      }),
    );
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      expiresAt: Date.now() + data.expires_in * 1000,
    };
  }

  return {
    name: `oidc-provider (public client, PKCE, rotating refresh tokens; JWT access tokens with exp = iat + ${ttl} s)`,
    tokenUrl,
    login,
    refresh: refreshTokenGrant({ tokenEndpoint: tokenUrl, clientId: CLIENT_ID, axios: http }),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer,
          audience: API_RESOURCE,
          typ: 'at+jwt',
          algorithms: ['ES256'],
        });
        return { active: true, expired: false, id: generations.get(payload.jti) };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          const id = generations.get(error.payload.jti);
          crossed.add(id);
          return { active: false, expired: true, id };
        }
        return { active: false, expired: false, id: undefined };
      }
    },
    refreshes: () => refreshes,
    expiresAt: () => newest.expiresAt,
    expiriesCrossed: () => crossed.size,
    close: () => shut(providerServer),
  };
}
