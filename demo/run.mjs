// `npm run demo`: the library's main job on a real local API and token server.
//
// One process starts a protected API and a token endpoint on 127.0.0.1 (random ports). Access
// tokens live ACCESS_TOKEN_LIFETIME ms and are opaque (no expires_in), so the client cannot see
// an expiry coming: it finds out from the API's 401s. Waves of concurrent GETs and POSTs are sent
// through one axios instance with the library attached, each wave after the token has expired.
// The run passes (exit 0) only if every request succeeded and the library made exactly one
// refresh per expiry crossed, which the token server counts from its own records.
import axios from 'axios';
import { attachBearerAuth } from 'axios-bearer-refresh';
import { Agent } from 'node:http';
import { startApiServer } from './api-server.mjs';
import { startOAuthTokenServer } from './oauth-server.mjs';
import { startBuiltInTokenServer } from './token-server.mjs';

const ACCESS_TOKEN_LIFETIME = 2000;
/**
 * How long before a known expiry the session renews a token (only `--oauth` tokens carry one).
 * Tokens here live seconds: with the default leeway (30 s) the session would renew the first one,
 * whose issue time it does not know, on the first request.
 */
const REFRESH_LEEWAY = 500;
const WAVES = 5;
const REQUESTS_PER_WAVE = 200;
/** The whole run is abandoned (and fails) after this long. */
const DEADLINE = 25_000;

/** Token servers by command-line flag; each returns the TokenServer described in token-server.mjs. */
const tokenServers = {
  builtin: () => startBuiltInTokenServer({ accessTokenLifetime: ACCESS_TOKEN_LIFETIME }),
  oauth: () =>
    startOAuthTokenServer({
      accessTokenLifetime: ACCESS_TOKEN_LIFETIME,
      refreshLeeway: REFRESH_LEEWAY,
    }),
};

function chooseTokenServer(args) {
  const unknown = args.filter((arg) => arg !== '--oauth');
  if (unknown.length > 0) return { error: `unknown argument: ${unknown.join(' ')}` };
  const name = args.includes('--oauth') ? 'oauth' : 'builtin';
  if (!tokenServers[name]) return { error: `--${name} is not available yet` };
  return { start: tokenServers[name] };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one wave: half GETs, half POSTs with JSON bodies; checks each echo. */
async function sendWave(instance, wave) {
  const requests = Array.from({ length: REQUESTS_PER_WAVE }, (_, i) => {
    const id = `${wave}-${i}`;
    const request =
      i % 2 === 0
        ? instance.get(`/items/${id}`)
        : instance.post('/orders', { id, wave, lines: [{ sku: `sku-${i}`, quantity: i % 7 }] });
    return request.then(
      (response) => {
        const echo = response.data;
        const intact =
          i % 2 === 0
            ? echo.method === 'GET' && echo.url === `/items/${id}`
            : echo.method === 'POST' &&
              echo.body?.id === id &&
              echo.body?.lines?.[0]?.quantity === i % 7;
        return intact ? 'ok' : 'echo mismatch';
      },
      (error) => error?.code ?? error?.name ?? 'error',
    );
  });
  return Promise.all(requests);
}

function table(rows) {
  const header = [
    'wave',
    'requests',
    'refusals seen (401)',
    'refreshes made',
    'expiries crossed',
    'replays',
    'successes',
    'failures',
    'wall time',
  ];
  const lines = [header, header.map(() => '---'), ...rows];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main() {
  const choice = chooseTokenServer(process.argv.slice(2));
  if (choice.error) {
    console.error(`demo: ${choice.error}. Usage: npm run demo [-- --oauth]`);
    return 2;
  }

  const tokenServer = await choice.start();
  const api = await startApiServer(tokenServer);
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  // A token server whose client knows each expiry (expires_in) counts the expiries crossed itself:
  // the client may renew before sending, so the API need not see an expired token.
  const expiriesCrossed = tokenServer.expiriesCrossed ?? (() => api.stats.expiredInUse.size);
  let replays = 0;
  const failureKinds = new Map();
  try {
    const instance = axios.create({
      baseURL: api.url,
      httpAgent: agent,
      proxy: false,
      timeout: 10_000,
    });
    attachBearerAuth(instance, {
      tokens: await tokenServer.login(),
      refresh: tokenServer.refresh,
      refreshTimeout: 5000,
      refreshLeeway: REFRESH_LEEWAY,
      onReplay: () => {
        replays++;
      },
    });

    const started = Date.now();
    const rows = [];
    const totals = {
      requests: 0,
      refusals: 0,
      refreshes: 0,
      expiries: 0,
      replays: 0,
      successes: 0,
      failures: 0,
    };
    for (let wave = 1; wave <= WAVES; wave++) {
      if (wave > 1) {
        // Start once the newest token has run out, so that this wave crosses an expiry.
        await sleep(Math.max(0, tokenServer.expiresAt() + 100 - Date.now()));
      }
      const before = {
        refusals: api.stats.refusals,
        refreshes: tokenServer.refreshes(),
        expiries: expiriesCrossed(),
        replays,
      };
      const waveStarted = Date.now();
      const outcomes = await sendWave(instance, wave);
      const successes = outcomes.filter((outcome) => outcome === 'ok').length;
      for (const outcome of outcomes.filter((o) => o !== 'ok')) {
        failureKinds.set(outcome, (failureKinds.get(outcome) ?? 0) + 1);
      }
      const row = {
        requests: outcomes.length,
        refusals: api.stats.refusals - before.refusals,
        refreshes: tokenServer.refreshes() - before.refreshes,
        expiries: expiriesCrossed() - before.expiries,
        replays: replays - before.replays,
        successes,
        failures: outcomes.length - successes,
      };
      for (const key of Object.keys(totals)) totals[key] += row[key];
      rows.push([wave, ...Object.values(row), `${Date.now() - waveStarted} ms`]);
      if (Date.now() - started > DEADLINE)
        throw new Error(`the demo took longer than ${DEADLINE} ms`);
    }
    const wall = Date.now() - started;
    rows.push([
      '**total**',
      ...Object.values(totals).map((value) => `**${value}**`),
      `**${(wall / 1000).toFixed(1)} s**`,
    ]);

    const passed =
      totals.failures === 0 &&
      totals.successes === totals.requests &&
      totals.refreshes === totals.expiries &&
      totals.expiries >= 2;
    console.log(
      `axios-bearer-refresh demo: ${WAVES} waves of ${REQUESTS_PER_WAVE} concurrent requests ` +
        `(GET and POST with JSON bodies), access tokens living ${ACCESS_TOKEN_LIFETIME / 1000} s, ` +
        `${tokenServer.name} on 127.0.0.1\n`,
    );
    console.log(table(rows));
    console.log(
      `\nExpected refreshes (token generations that expired while in use): ${totals.expiries}; ` +
        `made: ${totals.refreshes}. The total wall time includes the pauses that let each token ` +
        'expire.',
    );
    if (tokenServer.expiriesCrossed) {
      console.log(
        'Here the token response carries expires_in, so the client knows each expiry and renews ' +
          'the token before sending: refusals may be 0 (expires_in counts whole seconds, so a ' +
          'token can run out up to 1 s before the client expects it, and then the refusals lead ' +
          'to the refresh as in the built-in mode). An expiry counts as crossed when the ' +
          `provider is asked to refresh a token that has run out or is within the leeway ` +
          `(${REFRESH_LEEWAY} ms) of running out, or the API is shown an expired one; a refresh ` +
          'made earlier, or twice, would make "made" exceed "expected".',
      );
    }
    if (failureKinds.size > 0) {
      console.log(
        `Failures by kind: ${[...failureKinds].map(([k, n]) => `${k} x${n}`).join(', ')}`,
      );
    }
    console.log(
      passed
        ? 'PASS: every request succeeded, one refresh per expiry crossed.'
        : 'FAIL: see the table above.',
    );
    return passed ? 0 : 1;
  } finally {
    agent.destroy();
    await api.close();
    await tokenServer.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo: ${error?.message ?? error}`);
    process.exitCode = 1;
  },
);
