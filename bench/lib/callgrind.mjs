// Instructions per request, counted by valgrind's callgrind on fresh
// `node --single-threaded --predictable-gc-schedule` processes with the in-process adapter.
//
// Instrumentation is off during start-up and warm-up (--instr-atstart=no) and switched on with
// callgrind_control once count.mjs has warmed up. Each seed runs count.mjs twice per client, with
// `small` and `large` counted requests after the same warm-up; (Ir(large) - Ir(small)) /
// (large - small) is the steady-state cost of one request, the final collection and exit
// cancelling out. Seeds set V8's --random-seed and --hash-seed.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COUNT_SCRIPT = new URL('./count.mjs', import.meta.url).pathname;

export function hasValgrind() {
  return new Promise((resolve) => {
    execFile('valgrind', ['--version'], (error) => resolve(!error));
  });
}

/**
 * One callgrind process, instrumentation off until count.mjs has warmed up; then
 * `callgrind_control -i on` and SIGUSR2 start the counted requests. Resolves to the instructions
 * collected (the counted requests, a final collection and exit).
 */
function countOnce(dir, name, seed, warmUp, requests) {
  const outFile = join(dir, `${name}.${seed}.${requests}.out`);
  const args = [
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${outFile}`,
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
    '--wait-for-signal',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let switchedOn = false;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!switchedOn && stdout.includes('warm\n')) {
        switchedOn = true;
        execFile(
          'callgrind_control',
          ['-i', 'on', String(child.pid)],
          { timeout: 60_000 },
          (error) => {
            if (error) {
              child.kill();
              reject(new Error(`callgrind_control failed: ${error.message}`));
            } else {
              child.kill('SIGUSR2');
            }
          },
        );
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const collected = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || !collected) {
        reject(new Error(`callgrind ${name} seed ${seed} exited ${code}: ${stderr.slice(-500)}`));
        return;
      }
      compilation(outFile).then(
        (compile) => resolve({ ir: Number(collected[1]), compile }),
        reject,
      );
    });
  });
}

/**
 * V8's optimizing compiler keeps working for thousands of requests (and, run on the main thread by
 * --single-threaded, inside the counted window), at moments that shift with every change of code:
 * it moves a per-request difference by ±15% depending on where the window falls. These entry
 * points' inclusive cost is that compilation (and lazy and baseline compilation, and
 * deoptimization), counted apart so that what remains is what the requests themselves execute.
 */
const COMPILE_ENTRIES =
  /v8::internal::Runtime_(CompileOptimized\w*|CompileLazy|CompileBaseline|InstallBaselineCode|NotifyDeoptimized|CompileOnStackReplacement\w*)\(/;

function compilation(outFile) {
  return new Promise((resolve, reject) => {
    execFile(
      'callgrind_annotate',
      ['--inclusive=yes', '--threshold=100', outFile],
      { maxBuffer: 64 << 20 },
      (error, stdout) => {
        if (error) return reject(error);
        let sum = 0;
        for (const line of stdout.split('\n')) {
          const match = /^\s*([\d,]+)\s/.exec(line);
          if (match && COMPILE_ENTRIES.test(line)) sum += Number(match[1].replaceAll(',', ''));
        }
        resolve(sum);
      },
    );
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
 * @returns per client name, instructions per request, one figure per seed: `perRequest` all of
 * them, `executedPerRequest` without JIT compilation.
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
            ...(await countOnce(dir, name, seed, warmUp, requests)),
          }));
        }
      }
    }
    const runs = await pool(jobs, parallel);
    const perRequest = Object.fromEntries(names.map((name) => [name, []]));
    const executedPerRequest = Object.fromEntries(names.map((name) => [name, []]));
    for (const seed of seeds) {
      for (const name of names) {
        const at = (n) => runs.find((r) => r.name === name && r.seed === seed && r.requests === n);
        const span = large - small;
        perRequest[name].push((at(large).ir - at(small).ir) / span);
        executedPerRequest[name].push(
          (at(large).ir - at(large).compile - (at(small).ir - at(small).compile)) / span,
        );
      }
    }
    return { perRequest, executedPerRequest, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
