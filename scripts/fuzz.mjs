#!/usr/bin/env node
/**
 * Runs the model-based property test over as many random schedules as asked:
 *
 *   npm run fuzz                       # 100,000 schedules
 *   npm run fuzz -- 5000               # 5,000 schedules
 *   npm run fuzz -- 5000 --seed 42     # reproducible
 *   npm run fuzz -- --seed 42 --path "376:2:0"   # replay a failure fast-check printed
 *
 * Schedules run in batches of 1,000, one jest process each, with seeds seed, seed+1, ...: a
 * fresh process per batch keeps one slow or leaking schedule from slowing all that follow. A
 * failure prints its batch's seed, the path and the shrunk schedule, a plain list of commands
 * that regressions.test.ts can run as it is.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BATCH = 1000;
const args = process.argv.slice(2);
let total = 100_000;
let seed = Math.floor(Math.random() * 2 ** 31);
let path;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--seed') seed = Number(args[++i]);
  else if (arg === '--path') path = args[++i];
  else if (/^\d+$/.test(arg)) total = Number(arg);
  else {
    console.error(`fuzz: unknown argument ${arg}; see the comment at the top of scripts/fuzz.mjs`);
    process.exit(2);
  }
}
if (!Number.isSafeInteger(seed)) {
  console.error('fuzz: --seed takes an integer');
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const jest = fileURLToPath(new URL('../node_modules/jest/bin/jest.js', import.meta.url));

function batch(runs, batchSeed) {
  const env = {
    ...process.env,
    FUZZ_RUNS: String(runs),
    FUZZ_SEED: String(batchSeed),
    FUZZ_REPORT: '1',
    ...(path ? { FUZZ_PATH: path } : {}),
  };
  const result = spawnSync(
    process.execPath,
    [jest, '--runInBand', '--ci', '--silent', '__tests__/property/interleavings.test.ts'],
    { cwd: root, env, stdio: 'inherit' },
  );
  return result.status ?? 1;
}

if (path) process.exit(batch(BATCH, seed));

const started = Date.now();
let done = 0;
for (let i = 0; done < total; i++) {
  const runs = Math.min(BATCH, total - done);
  const status = batch(runs, seed + i);
  if (status !== 0) {
    console.error(
      `fuzz: batch ${i + 1} (seed ${seed + i}) failed; the ${done} schedules of earlier batches passed`,
    );
    process.exit(status);
  }
  done += runs;
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `fuzz: ${done} of ${total} schedules passed (seeds ${seed}..${seed + i}), ` +
      `${seconds.toFixed(0)} s, ${(done / seconds).toFixed(0)} schedules/s`,
  );
}
