// The demo's built-in token endpoint: a bare OAuth-2-style refresh_token grant on 127.0.0.1.
//
// Every token server the demo can run against (this one; later an OAuth provider behind
// `--oauth`) is a function returning a TokenServer:
//
//   {
//     name:          string, for the report
//     tokenUrl:      string, where the refresh function posts
//     login():       Promise<{ accessToken, refreshToken }>, the session's first tokens
//     refresh:       the refresh function handed to createAuthSession
//     verify(token): Promise<{ active, expired, id }> for the API: `active` accepts the token;
//                    `expired` says it was once good and has run out; `id` names its generation
//     refreshes():   number of refresh grants the server has answered with new tokens
//     expiresAt():   epoch ms at which the newest access token runs out (for pacing the waves)
//     close():       Promise<void>
//   }
//
// Tokens are opaque and the answer has no expires_in: the client cannot see the expiry coming,
// so expiries show up as refusals, which is the job the library does.
import axios from 'axios';
import { createServer } from 'node:http';
import { URLSearchParams } from 'node:url';

/**
 * @param {{ accessTokenLifetime: number }} options lifetime of an access token in ms
 */
export async function startBuiltInTokenServer({ accessTokenLifetime }) {
  let generation = 0;
  let refreshes = 0;
  let newestExpiry = 0;
  /** access token -> { id, expiresAt } */
  const accessTokens = new Map();
  /** refresh tokens not used yet (they rotate: each works once) */
  const refreshTokens = new Set();

  function issue() {
    generation++;
    const secret = Math.random().toString(36).slice(2, 10);
    const pair = {
      accessToken: `at-${generation}-${secret}`,
      refreshToken: `rt-${generation}-${secret}`,
    };
    newestExpiry = Date.now() + accessTokenLifetime;
    accessTokens.set(pair.accessToken, { id: generation, expiresAt: newestExpiry });
    refreshTokens.add(pair.refreshToken);
    return pair;
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/token') return reply(404, { error: 'not_found' });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const presented = form.get('refresh_token');
      if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.delete(presented)) {
        return reply(400, { error: 'invalid_grant' });
      }
      refreshes++;
      const pair = issue();
      reply(200, {
        access_token: pair.accessToken,
        token_type: 'Bearer',
        refresh_token: pair.refreshToken,
      });
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const tokenUrl = `http://127.0.0.1:${server.address().port}/token`;
  const http = axios.create({ proxy: false, timeout: 5000 });

  return {
    name: 'built-in token endpoint',
    tokenUrl,
    login: async () => issue(),
    async refresh(current, { signal }) {
      const response = await http.post(
        tokenUrl,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: current.refreshToken }),
        { signal },
      );
      return {
        accessToken: response.data.access_token,
        refreshToken: response.data.refresh_token,
      };
    },
    verify(token) {
      const entry = accessTokens.get(token);
      if (!entry) return { active: false, expired: false, id: undefined };
      const expired = Date.now() >= entry.expiresAt;
      return { active: !expired, expired, id: entry.id };
    },
    refreshes: () => refreshes,
    expiresAt: () => newestExpiry,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
