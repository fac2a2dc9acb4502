import {
  AxiosHeaders,
  CanceledError,
  type AxiosError,
  type InternalAxiosRequestConfig,
} from 'axios';

// axios's type declarations give CanceledError AxiosError's constructor, but at run time it takes
// (message, config, request), as axios itself calls it when a signal aborts.
const Canceled = CanceledError as unknown as new (
  message: string | null,
  config: InternalAxiosRequestConfig,
) => AxiosError;

/**
 * Waits for `promise`, but rejects at once with axios's own cancel error when the request's
 * AbortSignal fires or its CancelToken is cancelled. The promise itself (a shared refresh) goes
 * on for everyone else.
 */
export function unlessCanceled<T>(
  promise: Promise<T>,
  config: InternalAxiosRequestConfig,
  headerName: string,
) {
  const { signal, cancelToken } = config;
  if (!signal && !cancelToken) return promise;
  return new Promise<T>((resolve, reject) => {
    const cancel = (reason?: unknown) => {
      cleanup();
      reject(reason instanceof CanceledError ? reason : new Canceled(null, withoutToken()));
    };
    // The error carries the request's config, as axios's own do, but not the token it was sent
    // with (a replay's config still holds the refused one).
    const withoutToken = (): InternalAxiosRequestConfig => {
      const headers = new AxiosHeaders(config.headers);
      headers.delete(headerName);
      return { ...config, headers };
    };
    const onAbort = () => cancel();
    const cleanup = () => {
      signal?.removeEventListener?.('abort', onAbort);
      cancelToken?.unsubscribe(cancel);
    };
    if (signal?.aborted) return cancel();
    signal?.addEventListener?.('abort', onAbort);
    cancelToken?.subscribe(cancel);
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
