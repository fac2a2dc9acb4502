// One process of the instruction count, run under callgrind by callgrind.mjs:
//   node --single-threaded --predictable-gc-schedule --expose-gc bench/lib/count.mjs <plain|ours|peer> <warm-up> <requests>
// Sends `warm-up` and then `requests` sequential authorized GETs through the in-process adapter.
// Two runs that differ only in `requests` differ only by those requests' instructions: start-up,
// warm-up and exit cancel out.
import { createInProcess } from './adapter.mjs';
import { contenders } from './contenders.mjs';

const [name, warmUp, requests] = process.argv.slice(2);
const inProcess = createInProcess();
const { valid } = inProcess.world.reset({ prefix: 'c' });
const client = contenders[name](
  { baseURL: 'http://127.0.0.1:9', adapter: inProcess.adapter },
  { token: valid },
);

async function sequential(count) {
  for (let i = 0; i < count; i++) await client.send();
}

// Full collections around the counted requests: each run then pays for collecting exactly the
// garbage its requests made, and the heaps the two runs start from are alike.
const gc = globalThis.gc ?? (() => {});
await sequential(Number(warmUp));
gc();
await sequential(Number(requests));
gc();
const stats = inProcess.world.stats();
if (stats.refused !== 0 || stats.api !== Number(warmUp) + Number(requests)) {
  console.error(`count: unexpected world stats ${JSON.stringify(stats)}`);
  process.exitCode = 1;
}
