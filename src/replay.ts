/**
 * Whether a request body can be sent a second time. axios has already turned objects, strings and
 * URLSearchParams into strings, and keeps Buffers, ArrayBuffers, Blobs and FormData as they are:
 * all of those send the same bytes again. A stream is read once.
 *
 * @returns a description of the one-shot body, or `undefined` when it can be replayed.
 */
export function oneShotBody(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return 'a Node.js stream';
  const WebReadableStream = (globalThis as { ReadableStream?: abstract new () => unknown })
    .ReadableStream;
  if (WebReadableStream && data instanceof WebReadableStream) return 'a ReadableStream';
  if (typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
    return 'an async iterable';
  }
  return undefined;
}

function isFormData(data: unknown): boolean {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData'
  );
}

/** Whether axios will send through its Node http adapter (which serialises FormData itself). */
function usesNodeHttpAdapter(adapter: unknown): boolean {
  for (const entry of Array.isArray(adapter) ? adapter : [adapter]) {
    if (entry === 'http') return typeof (globalThis as { process?: unknown }).process === 'object';
    if (entry !== 'xhr' || typeof XMLHttpRequest !== 'undefined') return false;
  }
  return false;
}

interface BodyConfig {
  data?: unknown;
  adapter?: unknown;
  headers: { getContentType(): unknown; setContentType(value: string): unknown };
}

/**
 * Makes a FormData body replay byte for byte in Node. axios's http adapter draws a random
 * multipart boundary for every send unless the Content-Type names one it accepts, and its own
 * contain a dot, which it does not accept back: without this the replay's bytes and Content-Type
 * differ from the original's. Browsers and the fetch adapter set their own boundary; untouched.
 */
export function pinFormDataBoundary(config: BodyConfig): void {
  if (!isFormData(config.data) || !usesNodeHttpAdapter(config.adapter)) return;
  const type = config.headers.getContentType();
  if (type !== undefined && type !== null && type !== false) {
    if (typeof type !== 'string' || !/^multipart\/form-data\s*(;|$)/i.test(type)) return;
    if (/boundary=/i.test(type)) return;
  }
  const random = () => Math.random().toString(36).slice(2, 12).padEnd(10, '0');
  config.headers.setContentType(`multipart/form-data; boundary=abr-${random()}${random()}`);
}
