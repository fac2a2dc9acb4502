// The scenarios: sequential overhead, refresh storms, late refusals, refresh failure and the
// refresh-refused loop. Each builds fresh clients against a freshly reset world.
import { performance } from 'node:perf_hooks';
import { contenders } from './contenders.mjs';
import { heapTracker, settleAll, track } from './measure.mjs';

let scenarioId = 0;
const nextPrefix = () => `r${++scenarioId}x`;

/**
 * Sequential authorized GETs with a valid token: wall-clock and CPU microseconds per request (CPU
 * time is the whole process's, so on the real server it includes the server's worker thread).
 */
export async function overhead(env, name, requests) {
  const { valid } = await env.control('reset', { prefix: nextPrefix() });
  const client = contenders[name](env, { token: valid });
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < requests; i++) await client.send();
  const micros = ((performance.now() - started) * 1000) / requests;
  const cpu = process.cpuUsage(cpuAtStart);
  const stats = await env.control('stats');
  if (stats.refused !== 0) throw new Error(`${name}: ${stats.refused} refusals in overhead run`);
  return { micros, cpuMicros: (cpu.user + cpu.system) / requests };
}

/**
 * N concurrent requests after expiry. `expired: false`: the client does not know (every request
 * is refused once); `expired: true`: the token carries an expiry in the past.
 */
export async function storm(env, name, n, { expired, deadlineMs }) {
  const { stale } = await env.control('reset', { prefix: nextPrefix() });
  const client = contenders[name](env, { token: stale, expired });
  const heap = heapTracker();
  const every = Math.max(1, Math.floor(n / 200));
  let settled = 0;
  const started = performance.now();
  const promises = [];
  for (let i = 0; i < n; i++) promises.push(client.send());
  heap.sample();
  const outcome = await settleAll(promises, deadlineMs, () => {
    if (++settled % every === 0) heap.sample();
  });
  const ms = performance.now() - started;
  heap.sample();
  const server = await env.control('stats');
  return {
    ...outcome,
    ms,
    heap: heap.growth(),
    refreshCalls: client.refreshCalls(),
    refusedAtServer: server.refused,
    apiAtServer: server.api,
  };
}

/** Polls the world (bounded) until `held` requests are parked at /api/late. */
async function untilHeld(env, held) {
  for (let i = 0; i < 200; i++) {
    if ((await env.control('stats')).held >= held) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

/**
 * Late refusals: `late` requests carrying the stale token are refused, but their refusals are
 * held back until `early` requests have been refused, refreshed and replayed. The late refusals
 * must not refresh again; with `tokenMode: 'fail'` the refresh fails, and the late refusals, of
 * requests sent before it failed, must not start another one either.
 */
export async function lateRefusals(env, name, { late, early, deadlineMs, tokenMode = 'ok' }) {
  const { stale } = await env.control('reset', { prefix: nextPrefix(), tokenMode });
  const client = contenders[name](env, { token: stale });
  const latePromises = [];
  for (let i = 0; i < late; i++) latePromises.push(client.sendTo('/api/late'));
  const lateTracked = track(latePromises);
  const parked = await untilHeld(env, late);
  const earlyPromises = [];
  for (let i = 0; i < early; i++) earlyPromises.push(client.send());
  const earlyOutcome = await settleAll(earlyPromises, deadlineMs);
  await env.control('release');
  const lateOutcome = await lateTracked.wait(deadlineMs);
  return {
    parked,
    refreshCalls: client.refreshCalls(),
    ok: earlyOutcome.ok + lateOutcome.ok,
    failed: earlyOutcome.failed + lateOutcome.failed,
    hung: earlyOutcome.hung + lateOutcome.hung,
    errors: mergeCounts(earlyOutcome.errors, lateOutcome.errors),
  };
}

/**
 * The token endpoint fails (`tokenMode: 'fail'`, HTTP 500) or refuses the refresh token
 * (`'refuse'`, HTTP 401 invalid_grant) while `n` requests are refused; then `followUps`
 * requests are sent one after another. Counts refresh calls and hung requests.
 */
export async function refreshTrouble(env, name, { tokenMode, n, followUps, deadlineMs }) {
  const { stale } = await env.control('reset', { prefix: nextPrefix(), tokenMode });
  const client = contenders[name](env, { token: stale });
  const promises = [];
  for (let i = 0; i < n; i++) promises.push(client.send());
  const storm = await settleAll(promises, deadlineMs);
  const afterStorm = client.refreshCalls();
  const later = { ok: 0, failed: 0, hung: 0, errors: {} };
  for (let i = 0; i < followUps; i++) {
    const one = await settleAll([client.send()], deadlineMs);
    for (const key of ['ok', 'failed', 'hung']) later[key] += one[key];
    later.errors = mergeCounts(later.errors, one.errors);
  }
  const server = await env.control('stats');
  return {
    refreshCalls: client.refreshCalls(),
    refreshCallsInStorm: afterStorm,
    storm,
    followUps: later,
    hung: storm.hung + later.hung,
    tokenCallsAtServer: server.tokenCalls,
    apiAtServer: server.api,
  };
}

/** Adds up two { kind: count } maps. */
export function mergeCounts(a, b) {
  const sum = { ...a };
  for (const [kind, count] of Object.entries(b)) sum[kind] = (sum[kind] ?? 0) + count;
  return sum;
}
