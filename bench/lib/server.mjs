// The real HTTP server, on 127.0.0.1 and a random port, in a worker thread so that it runs on the
// other core and its heap is not counted as the client's. Idle keep-alive connections stay open
// for the whole run, so that no request races the server closing its socket (ECONNRESET). The main thread controls the world
// through messages: control(op, args) -> result.
import { createServer } from 'node:http';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { createWorld } from './world.mjs';

if (!isMainThread && parentPort) {
  const world = createWorld();
  const server = createServer({ keepAliveTimeout: 600_000 }, (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      world.handle(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, (answer) => {
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(answer.body),
        });
        res.end(answer.body);
      });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    parentPort.postMessage({ ready: server.address().port });
  });
  parentPort.on('message', ({ id, op, args }) => {
    if (op === 'close') {
      server.closeAllConnections();
      server.close(() => parentPort.postMessage({ id, result: true }));
      return;
    }
    parentPort.postMessage({ id, result: world[op](args) });
  });
}

/** Starts the server; resolves to { baseURL, control(op, args), close() }. */
export async function startServer() {
  const worker = new Worker(new URL(import.meta.url));
  const pending = new Map();
  let nextId = 0;
  const port = await new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', function onMessage(message) {
      if (message.ready) return resolve(message.ready);
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    });
  });
  const control = (op, args) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      worker.postMessage({ id, op, args });
    });
  return {
    baseURL: `http://127.0.0.1:${port}`,
    control,
    async close() {
      await control('close');
      await worker.terminate();
    },
  };
}
