/**
 * The servers a browser test talks to, all on 127.0.0.1 (random ports):
 *
 * - the app origin serves the page (`/`, `/app.js`), the token endpoint (`POST /token`) and the
 *   protected API (`/api/...`: 401 without a current access token, else a JSON echo);
 * - a second origin that the page must not trust by default. `/echo/...` answers anyone, with
 *   CORS, and records the headers it got (a token there is a leak). `/api/...` is a protected API
 *   like the first, except that its 401 carries no CORS headers, so the browser hides it from
 *   the page. Preflights are answered for any header, so that a leaked header would be sent.
 *
 * Refresh tokens are single use: a second use is refused with `400 invalid_grant` and revokes
 * the whole session (its access token and every later refresh token), as OAuth servers that
 * detect refresh token reuse do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PageTokens } from './page/api.js';

export interface Hit {
  server: 'app' | 'foreign';
  method: string;
  /** Path and query as received. */
  path: string;
  headers: IncomingMessage['headers'];
  /** The bearer token of the `authorization` header, if any. */
  token: string | undefined;
  contentType: string | undefined;
  body: Buffer;
  /** The status answered; `undefined` while held. */
  status: number | undefined;
}

/** The answer to a token request waits for the test; see {@link BrowserServers.holdToken}. */
export interface Hold {
  /** Resolves once the token request has arrived. */
  arrived: Promise<void>;
  release(): void;
}

export interface BrowserServers {
  appOrigin: string;
  foreignOrigin: string;
  hits: Hit[];
  /** Calls of `POST /token`, answered or not. */
  refreshCalls(): number;
  /** Refresh token reuses the server detected (each revoked a session). */
  reuses(): number;
  /** A new session: a token pair that works until refreshed or expired. */
  login(): PageTokens;
  /** From now on every access token issued so far is refused. */
  expireAccessTokens(): void;
  /** The access tokens the server accepts now. */
  validAccessTokens(): string[];
  /** Holds the answer to the next token request. */
  holdToken(): Hold;
  /** Forgets recorded hits and counters (tokens stay as they are). */
  resetCounts(): void;
  close(): Promise<void>;
}

interface Family {
  revoked: boolean;
  access: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startBrowserServers(pageScript: string): Promise<BrowserServers> {
  const hits: Hit[] = [];
  let refreshCalls = 0;
  let reuses = 0;
  let serial = 0;
  /** Refresh token → its family and whether it was used. */
  const refreshTokens = new Map<string, { family: Family; used: boolean }>();
  const validAccess = new Set<string>();
  const holds: Array<{ arrive: () => void; released: Promise<void> }> = [];

  function issue(family: Family): PageTokens {
    serial++;
    const accessToken = `at-${serial}-${Math.random().toString(36).slice(2)}`;
    const refreshToken = `rt-${serial}-${Math.random().toString(36).slice(2)}`;
    validAccess.delete(family.access);
    family.access = accessToken;
    validAccess.add(accessToken);
    refreshTokens.set(refreshToken, { family, used: false });
    return { accessToken, refreshToken };
  }

  function record(server: Hit['server'], req: IncomingMessage, body: Buffer): Hit {
    const authorization = req.headers.authorization;
    const hit: Hit = {
      server,
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      token: authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined,
      contentType: req.headers['content-type'],
      body,
      status: undefined,
    };
    hits.push(hit);
    return hit;
  }

  function send(
    res: ServerResponse,
    hit: Hit,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    hit.status = status;
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(text);
  }

  async function answerToken(res: ServerResponse, hit: Hit) {
    refreshCalls++;
    const hold = holds.shift();
    if (hold) {
      hold.arrive();
      await hold.released;
    }
    const params = new URLSearchParams(hit.body.toString('utf8'));
    const entry = refreshTokens.get(params.get('refresh_token') ?? '');
    if (params.get('grant_type') !== 'refresh_token' || !entry || entry.family.revoked) {
      return send(res, hit, 400, { error: 'invalid_grant' });
    }
    if (entry.used) {
      reuses++;
      entry.family.revoked = true;
      validAccess.delete(entry.family.access);
      return send(res, hit, 400, { error: 'invalid_grant', error_description: 'reused' });
    }
    entry.used = true;
    const next = issue(entry.family);
    send(res, hit, 200, {
      access_token: next.accessToken,
      token_type: 'Bearer',
      refresh_token: next.refreshToken,
      expires_in: 3600,
    });
  }

  function answerApi(res: ServerResponse, hit: Hit, cors: Record<string, string>) {
    if (!hit.token || !validAccess.has(hit.token)) {
      // The second origin's 401 omits CORS headers, as many gateways' do.
      return send(
        res,
        hit,
        401,
        { error: 'invalid_token' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    send(res, hit, 200, { token: hit.token, method: hit.method, path: hit.path }, cors);
  }

  const app = createServer((req, res) => {
    void readBody(req).then((body) => {
      const hit = record('app', req, body);
      const path = hit.path.split('?')[0]!;
      if (req.method === 'GET' && path === '/') {
        hit.status = 200;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(
          '<!doctype html><meta charset="utf-8"><title>abr</title>' +
            '<script src="/app.js"></script>',
        );
      }
      if (req.method === 'GET' && path === '/app.js') {
        hit.status = 200;
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        return res.end(pageScript);
      }
      if (req.method === 'POST' && path === '/token') return void answerToken(res, hit);
      if (path.startsWith('/api/')) return answerApi(res, hit, {});
      send(res, hit, 404, { error: 'not_found' });
    });
  });

  const foreign = createServer((req, res) => {
    void readBody(req).then((body) => {
      const hit = record('foreign', req, body);
      const cors = { 'access-control-allow-origin': appOrigin };
      if (req.method === 'OPTIONS') {
        return send(res, hit, 204, undefined, {
          ...cors,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
          'access-control-max-age': '0',
        });
      }
      if (hit.path.startsWith('/echo/')) return send(res, hit, 200, { token: hit.token }, cors);
      if (hit.path.startsWith('/api/')) return answerApi(res, hit, cors);
      send(res, hit, 404, { error: 'not_found' }, cors);
    });
  });

  const appOrigin = await listen(app);
  const foreignOrigin = await listen(foreign);

  return {
    appOrigin,
    foreignOrigin,
    hits,
    refreshCalls: () => refreshCalls,
    reuses: () => reuses,
    login() {
      const family: Family = { revoked: false, access: '' };
      return issue(family);
    },
    expireAccessTokens: () => validAccess.clear(),
    validAccessTokens: () => [...validAccess],
    holdToken() {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ arrive, released });
      return { arrived, release };
    },
    resetCounts() {
      hits.length = 0;
      refreshCalls = 0;
      reuses = 0;
    },
    async close() {
      await Promise.all([shut(app), shut(foreign)]);
    },
  };
}

/** A multipart body with its boundary replaced, so two serialisations of one form compare. */
export function withoutBoundary(contentType: string | undefined, body: Buffer) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) return { contentType, body: body.toString('latin1') };
  return {
    contentType: contentType!.replace(value, '<boundary>'),
    body: body.toString('latin1').split(value).join('<boundary>'),
  };
}
