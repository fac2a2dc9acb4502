/**
 * Model-based test of invariants 1 to 10 (DESIGN.md) over random schedules: requests on two
 * instances sharing a session, refusals, expiry, refresh outcomes, aborts, logins and logouts in
 * any order. Reproduce a failure with the seed and path fast-check prints:
 *   npm run fuzz -- --seed <seed> --path <path>
 * (or FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest __tests__/property/interleavings).
 * CI runs 1,000 schedules (FUZZ_RUNS); `npm run fuzz -- 100000` runs more.
 */
import fc from 'fast-check';
import { runSchedule, scheduleArb } from './harness.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 1000);
const seed = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
const path = process.env['FUZZ_PATH'];
const progress = process.env['FUZZ_REPORT'] !== undefined;

beforeAll(() => {
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'hrtime',
      'performance',
    ],
  });
});

afterAll(() => {
  jest.useRealTimers();
});

test(
  `every invariant holds over ${runs} random schedules`,
  async () => {
    let schedules = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(scheduleArb, async (schedule) => {
        schedules++;
        if (progress && schedules % 10_000 === 0) {
          const seconds = (performance.now() - started) / 1000;
          process.stdout.write(`${schedules} schedules, ${seconds.toFixed(0)} s\n`);
        }
        await runSchedule(schedule);
      }),
      {
        numRuns: runs,
        ...(seed === undefined ? {} : { seed }),
        ...(path === undefined ? {} : { path }),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (progress) {
      process.stdout.write(
        `${schedules} schedules in ${seconds.toFixed(1)} s (${(schedules / seconds).toFixed(0)}/s)\n`,
      );
    }
  },
  runs * 100 + 300_000,
);
