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
