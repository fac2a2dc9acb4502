// The demo's protected API on 127.0.0.1: answers 401 to a missing, unknown or expired bearer
// token (as judged by the token server's `verify`), and otherwise echoes what it received, so the
// client can check that every replay arrived intact.
import { createServer } from 'node:http';

/**
 * @param {{ verify: (token: string) => { active: boolean, expired: boolean, id: unknown } |
 *   Promise<{ active: boolean, expired: boolean, id: unknown }> }} tokenServer
 */
export async function startApiServer({ verify }) {
  const stats = {
    requests: 0,
    refusals: 0,
    /** ids of token generations that were presented after they had expired */
    expiredInUse: new Set(),
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      stats.requests++;
      const reply = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const header = req.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      const verdict = token ? await verify(token) : { active: false, expired: false };
      if (!verdict.active) {
        stats.refusals++;
        if (verdict.expired) stats.expiredInUse.add(verdict.id);
        res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        return reply(401, { error: 'invalid_token' });
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        return reply(400, { error: 'invalid_json' });
      }
      reply(200, { method: req.method, url: req.url, body });
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
