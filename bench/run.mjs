// npm run bench [-- --quick | --full] [-- --no-count]
//
// Compares this library with plain axios, axios-auth-refresh and a hand-written floor, on a real
// HTTP server on 127.0.0.1 (in a worker thread) and on an in-process adapter. Every measurement
// is made in interleaved rounds (the order of clients rotates per round) so that drift of this
// shared machine hits all alike. Prints Markdown tables; writes JSON to bench/results/.
import { Agent } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { hasValgrind, instructionsPerRequest } from './lib/callgrind.mjs';
import { createInProcess } from './lib/adapter.mjs';
import { labels } from './lib/contenders.mjs';
import { max, mean, median, min, rotated } from './lib/measure.mjs';
import { lateRefusals, mergeCounts, overhead, refreshTrouble, storm } from './lib/scenarios.mjs';
import { startServer } from './lib/server.mjs';

const argv = process.argv.slice(2);
const profileName = argv.includes('--full')
  ? 'full'
  : argv.includes('--quick')
    ? 'quick'
    : 'default';
const profiles = {
  quick: {
    overhead: { rounds: 3, http: 150, 'in-process': 800 },
    storms: { sizes: [10, 100, 1000], rounds: { 10: 9, 100: 7, 1000: 5 } },
    count: { seeds: [1, 2], warmUp: 5000, small: 500, large: 2000, names: ['plain', 'ours'] },
  },
  default: {
    overhead: { rounds: 5, http: 300, 'in-process': 2000 },
    storms: { sizes: [10, 100, 1000, 10000], rounds: { 10: 51, 100: 21, 1000: 9, 10000: 3 } },
    count: { seeds: [1, 2, 3], warmUp: 10000, small: 1000, large: 4000, names: ['plain', 'ours'] },
  },
  full: {
    overhead: { rounds: 9, http: 1000, 'in-process': 5000 },
    storms: { sizes: [10, 100, 1000, 10000], rounds: { 10: 51, 100: 31, 1000: 15, 10000: 5 } },
    count: {
      seeds: [1, 2, 3, 4, 5],
      warmUp: 20000,
      small: 2000,
      large: 8000,
      names: ['plain', 'ours', 'peer'],
    },
  },
};
const profile = profiles[profileName];
/** How long a storm may take before its unsettled requests count as hung: generous, bounded. */
const stormDeadline = (n) => 30_000 + 10 * n;
const STORM_CLIENTS = ['ours', 'peer', 'floor'];
const OVERHEAD_CLIENTS = ['plain', 'ours', 'peer'];

const fmt = (value, digits = 1) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value ?? '–');
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(3)}×` : '–');
const range = (values) => {
  const lo = min(values);
  const hi = max(values);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
};
const kinds = (errors) =>
  Object.entries(errors)
    .map(([kind, count]) => `${count}× ${kind}`)
    .join(', ') || '–';

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const print = (text = '') => process.stdout.write(`${text}\n`);

async function main() {
  const startedAt = new Date();
  const server = await startServer();
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 64 });
  const inProcess = createInProcess();
  const envs = [
    { name: 'http', baseURL: server.baseURL, httpAgent, control: server.control },
    {
      name: 'in-process',
      baseURL: server.baseURL,
      adapter: inProcess.adapter,
      control: inProcess.control,
    },
  ];
  const results = {
    profile: profileName,
    startedAt: startedAt.toISOString(),
    node: process.version,
    cpus: cpus().length,
    overhead: [],
    storms: [],
    edges: [],
  };
  print(
    `# axios-bearer-refresh benchmark (${profileName}; Node ${process.version}, ${cpus().length} cores)\n`,
  );

  try {
    // Warm-up: every client through every path once, so the first measured round is not the JIT's.
    for (const env of envs) {
      for (const name of OVERHEAD_CLIENTS) await overhead(env, name, 100);
      for (const name of STORM_CLIENTS) {
        await storm(env, name, 50, { expired: false, deadlineMs: stormDeadline(50) });
        await storm(env, name, 50, { expired: true, deadlineMs: stormDeadline(50) });
      }
    }

    // 1. Per-request overhead, sequential authorized GETs with a valid token.
    for (const env of envs) {
      const requests = profile.overhead[env.name];
      for (let round = 0; round < profile.overhead.rounds; round++) {
        const micros = {};
        const cpuMicros = {};
        for (const name of rotated(OVERHEAD_CLIENTS, round)) {
          ({ micros: micros[name], cpuMicros: cpuMicros[name] } = await overhead(
            env,
            name,
            requests,
          ));
        }
        results.overhead.push({ env: env.name, round, requests, micros, cpuMicros });
      }
    }
    printOverhead(results.overhead);

    // 2. Storms after expiry, expiry unknown and known.
    for (const env of envs) {
      for (const expired of [false, true]) {
        for (const n of profile.storms.sizes) {
          // Round -1 warms every client up for this size and is not reported.
          for (let round = -1; round < profile.storms.rounds[n]; round++) {
            const byClient = {};
            for (const name of rotated(STORM_CLIENTS, round + 1)) {
              byClient[name] = await storm(env, name, n, { expired, deadlineMs: stormDeadline(n) });
            }
            if (round >= 0) results.storms.push({ env: env.name, expired, n, round, byClient });
          }
        }
      }
    }
    printStorms(results.storms);

    // 3. Late refusals, refresh failure, refresh refused.
    for (const env of envs) {
      for (const name of STORM_CLIENTS) {
        results.edges.push({
          env: env.name,
          name,
          case: 'late refusals (10 late, 10 early)',
          ...(await lateRefusals(env, name, { late: 10, early: 10, deadlineMs: 10_000 })),
        });
        results.edges.push({
          env: env.name,
          name,
          case: 'late refusals after a failed refresh (HTTP 500)',
          ...(await lateRefusals(env, name, {
            late: 10,
            early: 10,
            deadlineMs: 10_000,
            tokenMode: 'fail',
          })),
        });
        results.edges.push({
          env: env.name,
          name,
          case: 'refresh fails (HTTP 500), 100 + 3 later',
          ...(await refreshTrouble(env, name, {
            tokenMode: 'fail',
            n: 100,
            followUps: 3,
            deadlineMs: 10_000,
          })),
        });
        results.edges.push({
          env: env.name,
          name,
          case: 'refresh refused (401 invalid_grant), 100 + 10 later',
          ...(await refreshTrouble(env, name, {
            tokenMode: 'refuse',
            n: 100,
            followUps: 10,
            deadlineMs: 10_000,
          })),
        });
      }
    }
    printEdges(results.edges);
  } finally {
    httpAgent.destroy();
    await server.close();
  }

  // 4. Instruction counts (after the timed parts, which they would disturb).
  if (argv.includes('--no-count')) {
    print('\n## Instructions per request\n\nskipped (--no-count)');
  } else if (!(await hasValgrind())) {
    print(
      '\n## Instructions per request\n\nskipped: valgrind not found (apt-get install -y valgrind)',
    );
  } else {
    print(
      `\n_counting instructions under callgrind (${profile.count.seeds.length} seeds, a few minutes)…_`,
    );
    const counted = await instructionsPerRequest({ ...profile.count, parallel: 2 });
    results.instructions = { ...profile.count, ...counted };
    printInstructions(results.instructions);
  }

  printTargets(results);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(
    `./results/${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
    import.meta.url,
  );
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  print(`\nJSON: ${file.pathname}`);
}

function printOverhead(rows) {
  print('## Overhead: sequential authorized GETs, valid token\n');
  const out = [];
  const ratios = (mine, name, key) => mine.map((row) => row[key][name] / row[key].plain);
  const cell = (values, name) =>
    name === 'plain'
      ? '1'
      : `${ratio(median(values))} (${fmt(min(values), 3)}–${fmt(max(values), 3)})`;
  for (const env of ['http', 'in-process']) {
    const mine = rows.filter((row) => row.env === env);
    for (const name of OVERHEAD_CLIENTS) {
      out.push([
        env,
        labels[name],
        `${mine[0].requests} × ${mine.length}`,
        fmt(median(mine.map((row) => row.micros[name])), 2),
        cell(ratios(mine, name, 'micros'), name),
        fmt(median(mine.map((row) => row.cpuMicros[name])), 2),
        cell(ratios(mine, name, 'cpuMicros'), name),
      ]);
    }
  }
  print(
    table(
      [
        'transport',
        'client',
        'requests × rounds',
        'wall µs/request',
        'wall ratio to plain (median, range)',
        'CPU µs/request',
        'CPU ratio to plain (median, range)',
      ],
      out,
    ),
  );
}

function summarizeStorms(rows) {
  const groups = new Map();
  for (const row of rows) {
    const key = `${row.env}|${row.expired}|${row.n}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  }
  const summary = [];
  for (const group of groups.values()) {
    const { env, expired, n } = group[0];
    for (const name of STORM_CLIENTS) {
      const runs = group.map((row) => row.byClient[name]);
      const timeRatios = group.map((row) => row.byClient[name].ms / row.byClient.floor.ms);
      const heapRatios = group.map((row) => row.byClient[name].heap / row.byClient.floor.heap);
      const errors = runs.reduce((sum, run) => mergeCounts(sum, run.errors), {});
      summary.push({
        env,
        expired,
        n,
        name,
        rounds: runs.length,
        refreshCalls: runs.map((run) => run.refreshCalls),
        ok: runs.map((run) => run.ok),
        failed: runs.map((run) => run.failed),
        hung: runs.map((run) => run.hung),
        refused: runs.map((run) => run.refusedAtServer),
        errors,
        ms: median(runs.map((run) => run.ms)),
        heap: median(runs.map((run) => run.heap)),
        timeRatio: median(timeRatios),
        heapRatio: median(heapRatios),
      });
    }
  }
  return summary;
}

function printStorms(rows) {
  const summary = summarizeStorms(rows);
  for (const expired of [false, true]) {
    print(
      `\n## Storms, expiry ${expired ? 'known (token expired before sending)' : 'unknown (every request refused once)'}\n`,
    );
    const out = summary
      .filter((s) => s.expired === expired)
      .map((s) => [
        s.env,
        String(s.n),
        labels[s.name],
        range(s.refreshCalls),
        range(s.ok),
        s.failed.some(Boolean)
          ? `${range(s.failed)} (${kinds(s.errors)} over ${s.rounds} rounds)`
          : '0',
        range(s.hung),
        range(s.refused),
        fmt(s.ms, 1),
        ratio(s.timeRatio),
        fmt(s.heap / 2 ** 20, 2),
        fmt(s.heap / s.n, 0),
        ratio(s.heapRatio),
      ]);
    print(
      table(
        [
          'transport',
          'N',
          'client',
          'refresh calls',
          'ok',
          'failed',
          'hung',
          '401s at server',
          'ms first→last (median)',
          'time / floor',
          'peak heap MB',
          'heap B/request',
          'heap / floor',
        ],
        out,
      ),
    );
  }
  return summary;
}

function printEdges(rows) {
  print('\n## Late refusals, refresh failure, refresh refused\n');
  const out = rows.map((row) => {
    const errors = row.errors ?? mergeCounts(row.storm.errors, row.followUps.errors);
    const ok = row.ok ?? row.storm.ok + row.followUps.ok;
    const failed = row.failed ?? row.storm.failed + row.followUps.failed;
    return [
      row.env,
      row.case,
      labels[row.name],
      row.refreshCallsInStorm === undefined
        ? String(row.refreshCalls)
        : `${row.refreshCalls} (${row.refreshCallsInStorm} in the storm)`,
      String(ok),
      failed ? `${failed} (${kinds(errors)})` : '0',
      String(row.hung),
    ];
  });
  print(table(['transport', 'case', 'client', 'refresh calls', 'ok', 'failed', 'hung'], out));
}

function printInstructions(counted) {
  print(
    `\n## Instructions per request (callgrind, in-process adapter, ${counted.warmUp} warm-up, ` +
      `${counted.large} − ${counted.small} requests, seeds ${counted.seeds.join(', ')})\n`,
  );
  const out = [];
  for (const [what, figures] of [
    ['executed (without JIT compilation)', counted.executedPerRequest],
    ['all (with JIT compilation)', counted.perRequest],
  ]) {
    const base = figures.plain;
    for (const name of counted.names) {
      const values = figures[name];
      const ratios = values.map((value, i) => value / base[i]);
      out.push([
        what,
        labels[name],
        values.map((value) => fmt(value, 0)).join(', '),
        fmt(mean(values), 0),
        name === 'plain' ? '1' : `${ratio(mean(ratios))}`,
        name === 'plain' ? '–' : `${fmt(min(ratios), 4)}–${fmt(max(ratios), 4)}`,
      ]);
    }
  }
  print(
    table(
      [
        'instructions',
        'client',
        'per request, per seed',
        'mean',
        'ratio to plain (mean)',
        'ratio range',
      ],
      out,
    ),
  );
}

function printTargets(results) {
  const summary = summarizeStorms(results.storms);
  const ours = summary.filter((s) => s.name === 'ours');
  const checks = [];
  const check = (ok, text) => checks.push(`- ${ok ? '✅' : '❌'} ${text}`);
  if (results.instructions) {
    const { plain, ours: mine } = results.instructions.executedPerRequest;
    const extra = mean(mine.map((value, i) => value / plain[i])) - 1;
    check(
      extra <= 0.005,
      `instructions executed per request ≤ plain axios + 0.5%: +${(extra * 100).toFixed(2)}%`,
    );
  }
  for (const s of ours.filter((s) => !s.expired)) {
    check(
      s.timeRatio <= 1.05,
      `${s.env} N=${s.n}, expiry unknown: time ≤ 1.05 × floor: ${ratio(s.timeRatio)}`,
    );
    check(
      s.heapRatio <= 1.0,
      `${s.env} N=${s.n}, expiry unknown: peak heap ≤ 1.0 × floor: ${ratio(s.heapRatio)}`,
    );
  }
  for (const s of ours.filter((s) => s.expired)) {
    check(
      max(s.refused) === 0,
      `${s.env} N=${s.n}, expiry known: 401s at server = ${range(s.refused)}`,
    );
  }
  const storms = ours.every((s) => max(s.refreshCalls) === 1 && min(s.refreshCalls) === 1);
  check(storms, 'exactly one refresh in every storm');
  for (const e of results.edges.filter((e) => e.name === 'ours')) {
    if (e.case.startsWith('late')) {
      check(e.refreshCalls === 1, `${e.env}, ${e.case}: refresh calls = ${e.refreshCalls}`);
    } else {
      check(
        e.refreshCallsInStorm === 1,
        `${e.env}, ${e.case}: refresh calls in the storm = ${e.refreshCallsInStorm}`,
      );
    }
  }
  const refused = results.edges.filter((e) => e.name === 'ours' && e.case.includes('refused'));
  check(
    refused.every((e) => e.refreshCalls === 1),
    'no refresh-refused loop: one refresh call in all, later requests fail at once',
  );
  const hung =
    ours.reduce((sum, s) => sum + max(s.hung), 0) +
    results.edges.filter((e) => e.name === 'ours').reduce((sum, e) => sum + e.hung, 0);
  check(hung === 0, `zero hung requests: ${hung}`);
  const failedStorms = ours.reduce((sum, s) => sum + max(s.failed), 0);
  check(failedStorms === 0, `no failed request in storms: ${failedStorms}`);
  print('\n## Targets (axios-bearer-refresh)\n');
  print(checks.join('\n'));
  results.targets = checks;
}

await main();
