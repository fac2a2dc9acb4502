// Instructions per request, counted by valgrind's callgrind on fresh
// `node --single-threaded --predictable-gc-schedule` processes with the in-process adapter.
//
// Each seed runs count.mjs twice per client, with `small` and `large` measured requests after the
// same warm-up; (Ir(large) - Ir(small)) / (large - small) is the steady-state cost of one request,
// start-up, warm-up and exit cancelling out. Seeds set V8's --random-seed and --hash-seed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COUNT_SCRIPT = new URL('./count.mjs', import.meta.url).pathname;

export function hasValgrind() {
  return new Promise((resolve) => {
    execFile('valgrind', ['--version'], (error) => resolve(!error));
  });
}

function countOnce(dir, name, seed, warmUp, requests) {
  const args = [
    '--tool=callgrind',
    `--callgrind-out-file=${join(dir, `${name}.${seed}.${requests}.out`)}`,
    process.execPath,
    '--single-threaded',
    '--predictable-gc-schedule',
    '--expose-gc',
    `--random-seed=${seed}`,
    `--hash-seed=${seed}`,
    COUNT_SCRIPT,
    name,
    String(warmUp),
    String(requests),
  ];
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      const collected = /Collected : (\d+)/.exec(stderr);
      if (error || !collected) {
        reject(
          new Error(`callgrind ${name} seed ${seed}: ${error?.message ?? stderr.slice(-500)}`),
        );
      } else {
        resolve(Number(collected[1]));
      }
    });
  });
}

/** Runs `jobs` (functions returning promises) at most `parallel` at a time. */
async function pool(jobs, parallel) {
  const results = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}

/**
 * @returns {Promise<Record<string, number[]>>} instructions per request, one figure per seed,
 * for each client name.
 */
export async function instructionsPerRequest({ names, seeds, warmUp, small, large, parallel }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  try {
    const jobs = [];
    for (const seed of seeds) {
      for (const name of names) {
        for (const requests of [small, large]) {
          jobs.push(async () => ({
            name,
            seed,
            requests,
            ir: await countOnce(dir, name, seed, warmUp, requests),
          }));
        }
      }
    }
    const runs = await pool(jobs, parallel);
    const perRequest = Object.fromEntries(names.map((name) => [name, []]));
    for (const seed of seeds) {
      for (const name of names) {
        const at = (n) =>
          runs.find((r) => r.name === name && r.seed === seed && r.requests === n).ir;
        perRequest[name].push((at(large) - at(small)) / (large - small));
      }
    }
    return { perRequest, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
