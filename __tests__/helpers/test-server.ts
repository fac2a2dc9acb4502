/**
 * A real HTTP API and token endpoint on 127.0.0.1 (random port) for integration tests.
 *
 * - `POST /token` takes `refresh_token` (form or JSON body) and answers
 *   `{ access_token, token_type, refresh_token }`: opaque tokens `at-<n>` / `rt-<n>`, no
 *   `expires_in` (the client cannot know the expiry), and the refresh token rotates: each one
 *   works once, a used or unknown one gets `400 invalid_grant`.
 * - `/public/...` answers 200 to anyone.
 * - `/status/<code>` answers `<code>` to anyone (for a refusal that no token cures).
 * - Every other path is the protected API: 401 without a current access token, else 200 with a
 *   JSON echo of what arrived ({@link EchoBody}).
 *
 * Everything is recorded ({@link TestServer.requests}) and counted ({@link TestServer.stats}).
 * Answers can be held back until the test releases them ({@link TestServer.hold}) and the token
 * endpoint's outcome can be forced ({@link TestServer.setTokenOutcome}).
 *
 * @example
 * const server = await startTestServer();
 * afterAll(() => server.close());
 * const session = createAuthSession({ tokens: server.login(), refresh: refreshFrom(server) });
 */
import axios, { type AxiosInstance } from 'axios';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RefreshFunction, TokenSet } from '../../src/index.js';

/** Options for {@link startTestServer}. */
export interface TestServerOptions {
  /**
   * How long an access token is accepted after it is issued, in ms. Default: `Infinity` (until
   * {@link TestServer.expireAccessTokens}).
   */
  accessTokenLifetime?: number;
}

/** One request as the server received it. */
export interface RecordedRequest {
  /** `'token'` for `POST /token`, `'api'` for everything else. */
  endpoint: 'api' | 'token';
  /** Upper-case method. */
  method: string;
  /** Path and query exactly as received, e.g. `/v1/items?q=1`. */
  url: string;
  /** Headers as Node parsed them (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The raw body bytes. */
  body: Buffer;
  /** The `content-type` header, if any. */
  contentType: string | undefined;
  /** The bearer token of the `authorization` header, if any. */
  token: string | undefined;
  /** The status answered; `undefined` while held or hanging. */
  status: number | undefined;
}

/** The 200 answer of the protected API. */
export interface EchoBody {
  method: string;
  url: string;
  token: string;
  /** The request body as UTF-8 text. */
  body: string;
}

/** What `POST /token` does. */
export type TokenOutcome =
  /** Issues new tokens (default). */
  | 'ok'
  /** Answers 500 `{ error: 'server_error' }`. */
  | 'server-error'
  /** Answers 400 `{ error: 'invalid_grant' }`, as for a used refresh token. */
  | 'invalid-grant'
  /** Never answers (until the client gives up or the server closes). */
  | 'hang';

/** A request whose answer waits for the test; see {@link TestServer.hold}. */
export interface HeldRequest {
  /** Resolves when the matching request has arrived (its body read, its answer not yet sent). */
  arrived: Promise<RecordedRequest>;
  /** Lets the request be answered, judged by the server's state at that moment. */
  release(): void;
}

export interface TestServerStats {
  /** Requests that reached `POST /token`. */
  refreshCalls: number;
  /** 401 answers the protected API gave (including `/status/401`). */
  refusals: number;
  /** Protected API requests per bearer token carried (`'none'` when there was none). */
  requestsPerToken: Map<string, number>;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  /** `${origin}/token`. */
  readonly tokenUrl: string;
  /** Every request received, in order of arrival (API and token endpoint). */
  readonly requests: readonly RecordedRequest[];
  readonly stats: TestServerStats;
  /** Issues a fresh token pair as a login would (not counted as a refresh). */
  login(): TokenSet & { refreshToken: string };
  /** Makes every access token issued so far be refused from now on. */
  expireAccessTokens(): void;
  /** Sets what `POST /token` does from now on. */
  setTokenOutcome(outcome: TokenOutcome): void;
  /**
   * Holds back the answer to the next request that `matches` (checked when its body has been
   * read) until `release()` is called. Its answer is then computed from the server's state at
   * release time, as if the server had been slow.
   */
  hold(matches: (request: RecordedRequest) => boolean): HeldRequest;
  /** The recorded requests to `path` (the URL without query string). */
  requestsTo(path: string): RecordedRequest[];
  /** Stops the server and destroys every connection, keep-alive and hanging ones included. */
  close(): Promise<void>;
}

interface Hold {
  matches: (request: RecordedRequest) => boolean;
  arrive: (request: RecordedRequest) => void;
  released: Promise<void>;
}

/** Starts a {@link TestServer} on 127.0.0.1 with a random port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const lifetime = options.accessTokenLifetime ?? Infinity;
  let counter = 0;
  /** Access token -> time after which it is refused (epoch ms). */
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const requests: RecordedRequest[] = [];
  const stats: TestServerStats = { refreshCalls: 0, refusals: 0, requestsPerToken: new Map() };
  const holds: Hold[] = [];
  let tokenOutcome: TokenOutcome = 'ok';

  function issue() {
    counter++;
    const pair = { accessToken: `at-${counter}`, refreshToken: `rt-${counter}` };
    accessTokens.set(pair.accessToken, Date.now() + lifetime);
    refreshTokens.add(pair.refreshToken);
    return pair;
  }

  function send(res: ServerResponse, record: RecordedRequest, status: number, body: unknown) {
    record.status = status;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  function refreshTokenOf(record: RecordedRequest): unknown {
    const text = record.body.toString('utf8');
    if (record.contentType?.includes('json')) {
      try {
        return (JSON.parse(text) as Record<string, unknown>)['refresh_token'];
      } catch {
        return undefined;
      }
    }
    return new URLSearchParams(text).get('refresh_token') ?? undefined;
  }

  function answerToken(res: ServerResponse, record: RecordedRequest) {
    stats.refreshCalls++;
    switch (tokenOutcome) {
      case 'hang':
        return;
      case 'server-error':
        return send(res, record, 500, { error: 'server_error' });
      case 'invalid-grant':
        return send(res, record, 400, { error: 'invalid_grant' });
      case 'ok':
        break;
    }
    const presented = refreshTokenOf(record);
    if (typeof presented !== 'string' || !refreshTokens.delete(presented)) {
      return send(res, record, 400, {
        error: 'invalid_grant',
        error_description: 'unknown or used refresh token',
      });
    }
    const pair = issue();
    send(res, record, 200, {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      refresh_token: pair.refreshToken,
    });
  }

  function answerApi(res: ServerResponse, record: RecordedRequest) {
    const path = record.url.split('?')[0]!;
    const key = record.token ?? 'none';
    stats.requestsPerToken.set(key, (stats.requestsPerToken.get(key) ?? 0) + 1);
    const forced = /^\/status\/(\d{3})$/.exec(path);
    if (forced) {
      const status = Number(forced[1]);
      if (status === 401) stats.refusals++;
      return send(res, record, status, { status });
    }
    if (!path.startsWith('/public/')) {
      const expiresAt = record.token === undefined ? undefined : accessTokens.get(record.token);
      if (expiresAt === undefined || Date.now() >= expiresAt) {
        stats.refusals++;
        return send(res, record, 401, { error: 'invalid_token' });
      }
    }
    const echo: EchoBody = {
      method: record.method,
      url: record.url,
      token: record.token ?? '',
      body: record.body.toString('utf8'),
    };
    send(res, record, 200, echo);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const record: RecordedRequest = {
        endpoint: method === 'POST' && url.split('?')[0] === '/token' ? 'token' : 'api',
        method,
        url,
        headers: req.headers,
        body: Buffer.concat(chunks),
        contentType: req.headers['content-type'],
        token: authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined,
        status: undefined,
      };
      requests.push(record);
      const answer = () =>
        record.endpoint === 'token' ? answerToken(res, record) : answerApi(res, record);
      const index = holds.findIndex((hold) => hold.matches(record));
      if (index === -1) return answer();
      const [hold] = holds.splice(index, 1);
      hold!.arrive(record);
      void hold!.released.then(() => {
        if (!res.destroyed) answer();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    tokenUrl: `${origin}/token`,
    requests,
    stats,
    login: issue,
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, -Infinity);
    },
    setTokenOutcome(outcome) {
      tokenOutcome = outcome;
    },
    hold(matches) {
      let arrive!: (request: RecordedRequest) => void;
      let release!: () => void;
      const arrived = new Promise<RecordedRequest>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ matches, arrive, released });
      return { arrived, release };
    },
    requestsTo(path) {
      return requests.filter((request) => request.url.split('?')[0] === path);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * A refresh function that posts the refresh token, form-encoded, to the server's token endpoint
 * and maps the answer to a token set. `client` is the axios instance to send with: by default a
 * bare one, so the call passes through no bearer interceptor. Pass an instance the session is
 * attached to in order to test a refresh through it (the call then uses `skipAuth: true`).
 */
export function refreshFrom(server: TestServer, client?: AxiosInstance): RefreshFunction {
  const http = client ?? axios.create({ proxy: false });
  return async (current, { signal }) => {
    const response = await http.post<{ access_token: string; refresh_token?: string }>(
      server.tokenUrl,
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: current?.refreshToken ?? '',
      }),
      { signal, skipAuth: true },
    );
    return { accessToken: response.data.access_token, refreshToken: response.data.refresh_token };
  };
}
