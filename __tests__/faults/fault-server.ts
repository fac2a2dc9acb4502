/**
 * A real HTTP server on 127.0.0.1 (random port) whose token endpoint and API misbehave on
 * demand: connections reset mid-answer, answers that never come, HTML, empty and 5 MB bodies,
 * token answers without `access_token`, and an API that resets the connection on a replay.
 *
 * - `POST /token` answers according to {@link FaultServer.tokenFault}.
 * - `/api/...` is protected: 200 with `{ id, token }` for a current access token, else 401. The
 *   `X-Request-Id` header names a logical request; with {@link FaultServer.resetReplays} on, a
 *   second arrival of the same id (the replay) has its connection destroyed without an answer.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RefreshFunction, TokenSet } from '../../src/index.js';

export type TokenFault =
  /** A normal token answer. */
  | 'ok'
  /** Status line, headers and part of the JSON, then the socket is destroyed. */
  | 'reset-mid-answer'
  /** No answer until the test calls `answerSlowRequests()` (or the server closes). */
  | 'slow'
  /** 200 with an HTML page, as a misrouted proxy or login page would send. */
  | 'html'
  /** 200 with an empty body. */
  | 'empty'
  /** 200 with a valid token answer padded to 5 MB. */
  | 'huge'
  /** 200 JSON without `access_token`. */
  | 'no-access-token';

export const FIVE_MB = 5 * 1024 * 1024;

export interface ApiHit {
  id: string;
  token: string | undefined;
  /** 200, 401, or 'reset' when the server destroyed the connection. */
  answer: number | 'reset';
}

export interface FaultServer {
  readonly origin: string;
  tokenFault: TokenFault;
  resetReplays: boolean;
  /** Requests that reached `POST /token`. */
  readonly tokenRequests: { closedByClient: boolean }[];
  readonly apiHits: ApiHit[];
  /** A fresh token pair, as a login would give. */
  login(): TokenSet & { refreshToken: string };
  /** Every access token issued so far is refused from now on. */
  expireAll(): void;
  /** Answers the requests held by the 'slow' fault with a valid token answer, if still open. */
  answerSlowRequests(): void;
  /** Every secret this server handed out, to search errors for leaks. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFaultServer(): Promise<FaultServer> {
  let counter = 0;
  const valid = new Set<string>();
  const secrets: string[] = [];
  const seenIds = new Set<string>();
  const held: ServerResponse[] = [];

  function issue() {
    counter++;
    const pair = {
      accessToken: `faultAccess${counter}Qx`,
      refreshToken: `faultRefresh${counter}Qx`,
    };
    valid.add(pair.accessToken);
    secrets.push(pair.accessToken, pair.refreshToken);
    return pair;
  }

  function tokenAnswer(padding = '') {
    const pair = issue();
    const body: Record<string, unknown> = {
      access_token: pair.accessToken,
      refresh_token: pair.refreshToken,
      token_type: 'Bearer',
    };
    if (padding) body['padding'] = padding;
    return JSON.stringify(body);
  }

  function json(res: ServerResponse, status: number, text: string, type = 'application/json') {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function onToken(req: IncomingMessage, res: ServerResponse) {
    await readBody(req);
    const record = { closedByClient: false };
    server.tokenRequests.push(record);
    res.on('close', () => {
      if (!res.writableEnded) record.closedByClient = true;
    });
    switch (server.tokenFault) {
      case 'ok':
        return json(res, 200, tokenAnswer());
      case 'reset-mid-answer': {
        const text = tokenAnswer();
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.write(text.slice(0, 20), () => res.socket?.destroy());
        return;
      }
      case 'slow':
        held.push(res);
        return;
      case 'html':
        return json(
          res,
          200,
          '<!doctype html><title>Sign in</title><p>Please sign in',
          'text/html',
        );
      case 'empty':
        return json(res, 200, '');
      case 'huge': {
        const text = tokenAnswer('x'.repeat(FIVE_MB));
        return json(res, 200, text);
      }
      case 'no-access-token':
        return json(res, 200, JSON.stringify({ token_type: 'Bearer', expires_in: 3600 }));
    }
  }

  async function onApi(req: IncomingMessage, res: ServerResponse) {
    await readBody(req);
    const id = String(req.headers['x-request-id'] ?? '');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const replay = seenIds.has(id);
    seenIds.add(id);
    if (replay && server.resetReplays) {
      server.apiHits.push({ id, token, answer: 'reset' });
      req.socket.destroy();
      return;
    }
    const ok = token !== undefined && valid.has(token);
    server.apiHits.push({ id, token, answer: ok ? 200 : 401 });
    if (ok) json(res, 200, JSON.stringify({ id, token }));
    else json(res, 401, JSON.stringify({ error: 'invalid_token' }));
  }

  const http = createServer((req, res) => {
    const handler = req.url === '/token' && req.method === 'POST' ? onToken : onApi;
    handler(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const server: FaultServer = {
    origin: `http://127.0.0.1:${port}`,
    tokenFault: 'ok',
    resetReplays: false,
    tokenRequests: [],
    apiHits: [],
    secrets,
    login: issue,
    expireAll: () => valid.clear(),
    answerSlowRequests() {
      for (const res of held.splice(0)) {
        if (!res.destroyed && !res.writableEnded) json(res, 200, tokenAnswer());
      }
    },
    close() {
      for (const res of held.splice(0)) res.destroy();
      return new Promise((resolve, reject) => {
        http.close((error) => (error ? reject(error) : resolve()));
        http.closeAllConnections();
      });
    },
  };
  return server;
}

/**
 * A refresh function that calls the token endpoint with its own bare axios instance, as the
 * README recommends, and maps the OAuth field names without validating them: validating is the
 * library's job.
 */
export function refreshVia(
  server: FaultServer,
  config: AxiosRequestConfig = {},
): RefreshFunction & { calls: number } {
  const tokenClient = axios.create({ baseURL: server.origin });
  const refresh = async (
    current: TokenSet | null,
    { signal }: { signal: AbortSignal },
  ): Promise<TokenSet> => {
    refresh.calls++;
    const response = await tokenClient.post(
      '/token',
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: current?.refreshToken ?? '',
      }),
      { ...config, signal },
    );
    const data = (
      typeof response.data === 'object' && response.data !== null ? response.data : {}
    ) as Record<string, unknown>;
    return {
      accessToken: data['access_token'] as string,
      refreshToken: data['refresh_token'] as string | undefined,
    };
  };
  refresh.calls = 0;
  return refresh;
}
