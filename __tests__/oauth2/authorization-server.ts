/**
 * A real authorization server (oidc-provider, in this process) and a protected API that checks its
 * tokens, both on 127.0.0.1 with random ports, for the OAuth 2 integration tests.
 *
 * - Clients: `confidential` (client_secret_basic, a secret full of characters that need
 *   form-encoding), `public` (none, PKCE), both with authorization_code and refresh_token;
 *   `service` (client_secret_basic) with client_credentials only.
 * - Access tokens are JWTs for the resource {@link API_RESOURCE}, living
 *   {@link ACCESS_TOKEN_TTL} seconds; refresh tokens rotate on every use, and reusing a spent one
 *   revokes the whole grant (oidc-provider's reuse detection).
 * - The API verifies each token's ES256 signature with the provider's JWKS (fetched over HTTP),
 *   its issuer, audience and expiry, and answers 401 `invalid_token` otherwise.
 * - Time: the provider runs in the test's module registry, so jest's fake `Date` is its clock
 *   too; {@link useControlledClock} freezes it and {@link advanceClock} moves it.
 *
 * @example
 * const as = await startAuthorizationServer();
 * afterAll(() => as.close());
 * const tokens = await as.login('public');
 */
import axios from 'axios';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenSet } from '../../src/index.js';

export const API_RESOURCE = 'urn:axios-bearer-refresh:test-api';
export const API_SCOPE = 'api:read';
/** Access token lifetime at the provider, in seconds. */
export const ACCESS_TOKEN_TTL = 2;
const REDIRECT_URI = 'http://127.0.0.1/callback';

export const CLIENTS = {
  confidential: { clientId: 'confidential-app', clientSecret: 'conf:Secret+/ &=%~7Hq2Lm9X' },
  public: { clientId: 'browser-app' },
  service: { clientId: 'batch-service', clientSecret: 'svcSecretVb6Nm1Qa8Ws3Ed' },
} as const;

/** Everything but `Date`: sockets and the session's own timers keep real time. */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** Freezes `Date` (for the provider, the API and the session alike) at a whole second. */
export function useControlledClock(): void {
  jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: Math.ceil(Date.now() / 1000) * 1000 });
}

/** Moves the shared clock forward by `ms`. */
export function advanceClock(ms: number): void {
  jest.setSystemTime(Date.now() + ms);
}

export interface ProviderCounts {
  /** `POST /token` requests that reached the server, whatever their outcome. */
  tokenRequests: number;
  /** Successful token responses by grant type. */
  grants: Record<string, number>;
  /** Token endpoint errors by OAuth error code. */
  grantErrors: Record<string, number>;
}

export interface ApiCounts {
  accepted: number;
  refused: number;
}

export interface AuthorizationServer {
  issuer: string;
  tokenEndpoint: string;
  /** Base URL of the protected API (`GET /items/<n>` answers `{ n, sub, clientId }`). */
  apiUrl: string;
  counts: ProviderCounts;
  api: ApiCounts;
  /** Logs a user in with the authorization code flow and PKCE; returns the client's tokens. */
  login(client: 'confidential' | 'public'): Promise<TokenSet>;
  /** Takes the provider off the network (its state is kept). */
  stop(): Promise<void>;
  /** Puts it back on the same port. */
  restart(): Promise<void>;
  /** Stops the provider and the API. */
  close(): Promise<void>;
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * oidc-provider prints notices about its development defaults (and that it prefers Node 22); the
 * tests do not need to hear them. Anything else printed still shows.
 */
function silenceProviderNotices() {
  for (const level of ['warn', 'info'] as const) {
    const print = console[level].bind(console);
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider')) return;
      print(...args);
    });
  }
}

export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  silenceProviderNotices();
  // Loaded after the notices are silenced: it prints one as it loads.
  const { default: Provider, errors } = await import('oidc-provider');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'test-key',
    alg: 'ES256',
    use: 'sig',
  };

  const counts: ProviderCounts = { tokenRequests: 0, grants: {}, grantErrors: {} };
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const providerServer = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/token')) counts.tokenRequests++;
    handle(req, res);
  });
  const port = await listen(providerServer);
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENTS.confidential.clientId,
        client_secret: CLIENTS.confidential.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
      },
      {
        client_id: CLIENTS.public.clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
      },
      {
        client_id: CLIENTS.service.clientId,
        client_secret: CLIENTS.service.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: API_SCOPE,
      },
    ],
    jwks: { keys: [signingKey] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    cookies: { keys: ['integration-test-cookie-key'] },
    scopes: ['openid', 'offline_access', API_SCOPE],
    findAccount: (_ctx: unknown, accountId: string) => ({
      accountId,
      claims: () => ({ sub: accountId }),
    }),
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: API_RESOURCE,
            accessTokenTTL: ACCESS_TOKEN_TTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      ClientCredentials: ACCESS_TOKEN_TTL,
      AuthorizationCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 86_400,
      Grant: 86_400,
      RefreshToken: 86_400,
    },
  });
  provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc?.params?.['grant_type']);
    counts.grants[type] = (counts.grants[type] ?? 0) + 1;
  });
  provider.on('grant.error', (_ctx, error) => {
    const code = error?.error ?? 'unknown';
    counts.grantErrors[code] = (counts.grantErrors[code] ?? 0) + 1;
  });

  const callback = provider.callback();
  handle = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void finishInteraction(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  };

  /** The user "logs in" as user-1 and consents to everything asked. */
  async function finishInteraction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({
      accountId: 'user-1',
      clientId: String(details.params['client_id']),
    });
    // The scopes requested, both as the provider's own and for the API's resource.
    grant.addOIDCScope(`openid offline_access ${API_SCOPE}`);
    grant.addResourceScope(API_RESOURCE, API_SCOPE);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: 'user-1' }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  // The protected API, checking tokens with the provider's published keys.
  const { data: jwks } = await axios.get<{ keys: Array<{ kid: string }> }>(`${issuer}/jwks`);
  const publicKeys = new Map(
    jwks.keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk as never, format: 'jwk' })]),
  );
  const api: ApiCounts = { accepted: 0, refused: 0 };
  function claimsOf(authorization: string | undefined): Record<string, unknown> | undefined {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const [header, payload, signature] = token?.split('.') ?? [];
    if (!header || !payload || !signature) return undefined;
    const { kid, alg, typ } = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<
      string,
      string
    >;
    const key = kid === undefined ? undefined : publicKeys.get(kid);
    if (!key || alg !== 'ES256' || typ !== 'at+jwt') return undefined;
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const audience = ([] as unknown[]).concat(claims['aud']);
    const fresh = typeof claims['exp'] === 'number' && Date.now() < claims['exp'] * 1000;
    return claims['iss'] === issuer && audience.includes(API_RESOURCE) && fresh
      ? claims
      : undefined;
  }
  const apiServer = createServer((req, res) => {
    const claims = claimsOf(req.headers.authorization);
    if (!claims) {
      api.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    api.accepted++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, sub: claims['sub'], clientId: claims['client_id'] }));
  });
  const apiPort = await listen(apiServer);

  async function login(kind: 'confidential' | 'public'): Promise<TokenSet> {
    const { clientId } = CLIENTS[kind];
    const browser = axios.create({ maxRedirects: 0, validateStatus: (status) => status < 400 });
    const jar = new Map<string, string>();
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: `openid offline_access ${API_SCOPE}`,
      resource: API_RESOURCE,
      prompt: 'consent',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    let location = `${issuer}/auth?${query.toString()}`;
    for (let hop = 0; !location.startsWith(REDIRECT_URI); hop++) {
      if (hop === 6) throw new Error(`login did not reach the redirect URI: ${location}`);
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await browser.get(new URL(location, issuer).href, { headers: { cookie } });
      for (const line of response.headers['set-cookie'] ?? []) {
        const pair = line.split(';')[0]!;
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
        if (value) jar.set(name, value);
        else jar.delete(name);
      }
      location = String(response.headers['location']);
    }
    const code = new URL(location).searchParams.get('code');
    if (!code) throw new Error(`no code in the redirect: ${location}`);

    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = {};
    if (kind === 'confidential') {
      const { clientSecret } = CLIENTS.confidential;
      const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
      headers['Authorization'] = `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`;
    } else {
      body.set('client_id', clientId);
    }
    const { data } = await axios.post<{
      access_token: string;
      refresh_token: string;
      expires_in: number;
    }>(`${issuer}/token`, body.toString(), { headers });
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      expiresAt: Date.now() + data.expires_in * 1000,
    };
  }

  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    counts,
    api,
    login,
    stop: () => shut(providerServer),
    restart: async () => {
      await listen(providerServer, port);
    },
    close: async () => {
      await Promise.all([shut(providerServer), shut(apiServer)]);
    },
  };
}
