import type { InternalAxiosRequestConfig } from 'axios';
import { unlessCanceled } from './cancel.js';
import type { SessionCore } from './session.js';

export interface HeaderFormat {
  name: string;
  scheme: string;
}

type Interceptor = (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig;
type AsyncInterceptor = (config: InternalAxiosRequestConfig) => Promise<InternalAxiosRequestConfig>;

/**
 * The request side as two interceptors, of which axios runs exactly one per request (chosen by
 * `runWhen` from the session's state at send time):
 *
 * - `immediate` (synchronous) when the held token can go out now. axios then dispatches the
 *   request in the same tick, as if no interceptor were installed: the common case costs nothing
 *   but the header.
 * - `waiting` (asynchronous) otherwise: a refresh in flight, a token about to expire, tokens still
 *   loading from the store, or none at all.
 *
 * A synchronous interceptor may not throw or return a promise (axios would send the request
 * anyway), so everything that can wait or fail is in `waiting`.
 */
export function createRequestInterceptors(
  core: SessionCore,
  isTrusted: (config: InternalAxiosRequestConfig) => boolean,
  header: HeaderFormat,
) {
  const prefix = `${header.scheme} `;

  const immediate: Interceptor = (config) => {
    if (config.skipAuth || !isTrusted(config)) return config;
    const token = core.accessToken();
    if (token !== undefined) config.headers.set(header.name, prefix + token);
    return config;
  };

  const waiting: AsyncInterceptor = async (config) => {
    if (config.skipAuth || !isTrusted(config)) return config;
    const token = await unlessCanceled(core.tokenForRequest(), config);
    config.headers.set(header.name, prefix + token);
    return config;
  };

  return { immediate, waiting, prefix };
}
