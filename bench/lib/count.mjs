// One process of the instruction count, run under callgrind by callgrind.mjs:
//   node --single-threaded --predictable-gc-schedule --expose-gc bench/lib/count.mjs \
//     <plain|ours|peer> <warm-up> <requests> [--wait-for-signal]
// Sends `warm-up` and then `requests` sequential authorized GETs through the in-process adapter.
import { clearInterval, setInterval } from 'node:timers';
import { createInProcess } from './adapter.mjs';
import { contenders } from './contenders.mjs';
import { shapeClient } from './shapes.mjs';

const [name, warmUp, requests] = process.argv.slice(2);
const inProcess = createInProcess();
const { valid } = inProcess.world.reset({ prefix: 'c' });
const env = { baseURL: 'http://127.0.0.1:9', adapter: inProcess.adapter };
const client = name.startsWith('shape-')
  ? shapeClient(name, env, { token: valid })
  : contenders[name](env, { token: valid });

async function sequential(count) {
  for (let i = 0; i < count; i++) await client.send();
}

// Full collections around the counted requests: each run then pays for collecting exactly the
// garbage its requests made, and the heaps the two runs start from are alike.
const gc = globalThis.gc ?? (() => {});
await sequential(Number(warmUp));
gc();
if (process.argv.includes('--wait-for-signal')) {
  // callgrind.mjs runs this process with instrumentation off: say so, and wait until it has
  // switched instrumentation on (callgrind_control -i on) and sent SIGUSR2. The 1 ms timer keeps
  // the process scheduled so that valgrind notices the command.
  const keepAwake = setInterval(() => {}, 1);
  process.stdout.write('warm\n');
  await new Promise((resolve) => process.once('SIGUSR2', resolve));
  clearInterval(keepAwake);
}
await sequential(Number(requests));
gc();
const stats = inProcess.world.stats();
if (stats.refused !== 0 || stats.api !== Number(warmUp) + Number(requests)) {
  console.error(`count: unexpected world stats ${JSON.stringify(stats)}`);
  process.exitCode = 1;
}
