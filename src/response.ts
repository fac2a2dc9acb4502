import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { unlessCanceled } from './cancel.js';
import type { UrlConfig } from './origins.js';
import { NotReplayableError } from './errors.js';
import { emit } from './events.js';
import { isAxiosLikeError, requestUrl } from './redact.js';
import { oneShotBody } from './replay.js';
import type { SessionCore } from './session.js';
import { fingerprint } from './tokens.js';

/** The token a request carried, read back from the header we set; `undefined` if not ours. */
function sentToken(config: InternalAxiosRequestConfig, headerName: string, prefix: string) {
  const headers = config.headers as { get?: (name: string) => unknown } | undefined;
  const value = typeof headers?.get === 'function' ? headers.get(headerName) : undefined;
  return typeof value === 'string' && value.startsWith(prefix) && value.length > prefix.length
    ? value.slice(prefix.length)
    : undefined;
}

const sendAsIs = [(data: unknown) => data];

/** Where the response came from after redirects: Node (follow-redirects) or XMLHttpRequest. */
function responseUrl(request: unknown): string | undefined {
  const source = request as { res?: { responseUrl?: unknown }; responseURL?: unknown } | undefined;
  const url = source?.res?.responseUrl ?? source?.responseURL;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/**
 * The response side: a refusal of a token we sent asks the session for the token to replay with
 * (which refreshes only if the refused token is still the current one, joining any refresh in
 * flight), then sends the same request once more through the instance. The replay is marked
 * `skipRefresh`, so its own refusal goes back to the caller: one replay at most, no loop.
 */
export function createResponseInterceptor(
  instance: AxiosInstance,
  core: SessionCore,
  isTrusted: (config: UrlConfig) => boolean,
  isRefusal: (error: AxiosError) => boolean,
  headerName: string,
  prefix: string,
  sentEpochOf: (config: unknown) => number | undefined,
) {
  /**
   * Sends the request once more with the new token (which the request side sets). `config` is
   * marked `skipRefresh` and sends its body untransformed: it was transformed on the first send.
   */
  function replay(config: InternalAxiosRequestConfig, token: string): Promise<AxiosResponse> {
    const oneShot = oneShotBody(config.data);
    if (oneShot) throw new NotReplayableError(oneShot);
    if (core.options.onReplay) {
      emit(core.options.onReplay, {
        method: (config.method ?? 'get').toUpperCase(),
        url: requestUrl(config),
        fingerprint: fingerprint(token),
      });
    }
    return instance.request(config);
  }

  // Thousands of requests may wait behind one refresh, so a waiting request holds as little as
  // it can: its config (to replay) and one callback; the error, its response and its request are
  // left to the collector. Hence plain promise chains rather than async functions, whose frames
  // and awaits cost several objects each.
  return function onRejected(error: unknown): Promise<AxiosResponse> {
    if (!isAxiosLikeError(error)) throw error;
    const config = (error as AxiosError).config;
    if (!config || config.skipAuth || config.skipRefresh) throw error;
    if (!isRefusal(error as AxiosError)) throw error;
    const refused = sentToken(config, headerName, prefix);
    if (refused === undefined || !isTrusted(config)) throw error;
    // After a redirect, the refusal may come from elsewhere: only a trusted origin's counts.
    const finalUrl = responseUrl((error as AxiosError).request);
    if (finalUrl !== undefined && !isTrusted({ url: finalUrl })) throw error;
    // axios builds each config key by key, which leaves it a dictionary of about 900 bytes; a
    // spread copy has the same keys and values but one shared shape, about a fifth the size.
    // The replay's own settings go in now, so the replay sends this copy as it is.
    const again = { ...config, skipRefresh: true, transformRequest: sendAsIs };
    // An abort while waiting rejects with the request's own config, which can be sent again.
    const refreshed = core.afterRefusal(refused, sentEpochOf(config));
    return unlessCanceled(refreshed, config, headerName).then(() =>
      replay(again, core.currentToken()),
    );
  };
}
