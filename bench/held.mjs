// Heap held per waiting request, without garbage: N requests are refused while the token
// endpoint is held back, then the heap is collected and measured with all N waiting for the one
// refresh. The storms' peak heap also counts garbage not yet collected, so it moves with the
// moments the collector happens to run; this figure does not.
//
//   npm run build && node bench/held.mjs [N ...]      (default: 1000 10000)
//
// Each client is measured in a fresh process, so that one client's leftovers are not another's.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInProcess } from './lib/adapter.mjs';
import { contenders, labels } from './lib/contenders.mjs';
import { gc, usedHeap } from './lib/measure.mjs';

const CLIENTS = ['floor', 'ours'];

async function measure(name, n) {
  const inProcess = createInProcess();
  let release;
  const tokenHeld = new Promise((resolve) => (release = resolve));
  let refused = 0;
  let allRefused;
  const everyoneRefused = new Promise((resolve) => (allRefused = resolve));
  const adapter = async (config) => {
    if (config.url.includes('/token')) await tokenHeld;
    try {
      return await inProcess.adapter(config);
    } catch (error) {
      if (error?.response?.status === 401 && ++refused === n) setTimeout(allRefused, 20);
      throw error;
    }
  };
  const { stale } = inProcess.world.reset({ prefix: 'held' });
  const client = contenders[name]({ baseURL: 'http://127.0.0.1:9', adapter }, { token: stale });
  gc();
  const before = usedHeap();
  const outcomes = [];
  for (let i = 0; i < n; i++)
    outcomes.push(
      client.send().then(
        () => 1,
        () => 0,
      ),
    );
  await everyoneRefused;
  gc();
  const held = usedHeap() - before;
  release();
  const ok = (await Promise.all(outcomes)).reduce((a, b) => a + b, 0);
  return { held: Math.round(held / n), ok, refreshCalls: client.refreshCalls() };
}

const [mode, name, size] = process.argv.slice(2);
if (mode === '--one') {
  process.stdout.write(JSON.stringify(await measure(name, Number(size))));
} else {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const rows = [];
  const totals = [];
  for (const n of sizes.length ? sizes : [1000, 10000]) {
    const byClient = {};
    for (const client of CLIENTS) {
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--one', client, String(n)],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      byClient[client] = JSON.parse(out);
      if (byClient[client].ok !== n || byClient[client].refreshCalls !== 1) {
        throw new Error(`${client} N=${n}: ${out}`);
      }
    }
    totals.push({ n, floor: byClient.floor.held * n, ours: byClient.ours.held * n });
    rows.push(
      `| ${n} | ${byClient.floor.held} | ${byClient.ours.held} | ${(byClient.ours.held / byClient.floor.held).toFixed(3)}× |`,
    );
  }
  console.log(`| N waiting | ${labels.floor}, B/request | ${labels.ours}, B/request | ratio |`);
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  // What each further waiting request adds, between the two largest sizes: constant if the heap
  // grows linearly in N.
  if (totals.length >= 2) {
    const [a, b] = totals.slice(-2);
    const slope = (key) => Math.round((b[key] - a[key]) / (b.n - a.n));
    console.log(
      `\nper further waiting request (N ${a.n} → ${b.n}): floor ${slope('floor')} B, ours ${slope('ours')} B, ratio ${(slope('ours') / slope('floor')).toFixed(3)}×`,
    );
  }
}
