import { getAdapter, type InternalAxiosRequestConfig } from 'axios';
import { unlessCanceled } from './cancel.js';
import type { UrlConfig } from './origins.js';
import { pinFormDataBoundary } from './replay.js';
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
  isTrusted: (config: UrlConfig) => boolean,
  header: HeaderFormat,
) {
  const prefix = `${header.scheme} `;
  const redirectGuard = createRedirectGuard(header.name, isTrusted);

  const lowerName = header.name.toLowerCase();
  const titleName = lowerName.replace(
    /(^|-)([a-z])/g,
    (_, dash: string, c: string) => dash + c.toUpperCase(),
  );
  // At most two; compared one by one, as this runs for every request.
  const [otherSpelling, secondSpelling] = [lowerName, titleName].filter(
    (spelling) => spelling !== header.name,
  );
  /**
   * Sets our header. A plain property write, where it cannot create a second spelling of the
   * header, costs a fraction of `AxiosHeaders.set` (which validates and normalises the name and
   * searches the keys case-insensitively on every call: most of the library's cost per request).
   */
  function setHeader(headers: InternalAxiosRequestConfig['headers'], value: string) {
    if (
      (otherSpelling === undefined || !Object.hasOwn(headers, otherSpelling)) &&
      (secondSpelling === undefined || !Object.hasOwn(headers, secondSpelling))
    ) {
      (headers as unknown as Record<string, string>)[header.name] = value;
    } else {
      headers.set(header.name, value);
    }
  }

  function attach(config: InternalAxiosRequestConfig, token: string) {
    setHeader(config.headers, prefix + token);
    redirectGuard.guard(config, core.epoch());
    pinFormDataBoundary(config);
  }

  const immediate: Interceptor = (config) => {
    if (config.skipAuth || !isTrusted(config)) return config;
    if (!core.canSendNow()) return waitInAdapter(config);
    attach(config, core.accessToken()!);
    return config;
  };

  /**
   * The session changed after axios chose `immediate`: another interceptor in between started a
   * refresh, or the clock passed the refresh time. This one cannot wait (axios may be running the
   * chain synchronously, and would send a returned promise as the config), so the request waits
   * in its adapter instead: wrapped for this request only, the original back in place before it
   * is sent.
   */
  function waitInAdapter(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
    // Pinned now, while axios has set no Content-Type of its own and the adapter is the real one.
    pinFormDataBoundary(config);
    // A config merged by axios always names its adapters; axios's own default order otherwise.
    const adapter = config.adapter ?? ['xhr', 'http', 'fetch'];
    config.adapter = async (sent) => {
      sent.adapter = adapter;
      await authorize(sent);
      return getAdapter(adapter, sent)(sent);
    };
    return config;
  }

  // axios asks both `runWhen`s of a request one right after the other (immediate's first), so the
  // second reuses the first's answer instead of reading the clock again.
  let sendsNow = false;
  const choosesImmediate = () => (sendsNow = core.canSendNow());

  // Requests the refresh function sends while it runs, marked when axios picks interceptors.
  const fromRefresh = new WeakSet<object>();
  const choosesWaiting = (config: InternalAxiosRequestConfig) => {
    if (core.isCallingRefresh()) fromRefresh.add(config);
    return !sendsNow;
  };

  /** Attaches the token once any refresh the request must wait for has settled. */
  async function authorize(config: InternalAxiosRequestConfig): Promise<void> {
    if (fromRefresh.has(config)) {
      throw new TypeError(
        'The refresh function sent a request through an instance this session is attached to: ' +
          'pass { skipAuth: true } on that request, or it waits for itself.',
      );
    }
    const token = await unlessCanceled(core.tokenForRequest(), config, header.name);
    // Judged again: in a page, where a relative URL goes can change meanwhile (a <base> element).
    if (isTrusted(config)) attach(config, token);
  }

  const waiting: AsyncInterceptor = async (config) => {
    if (config.skipAuth || !isTrusted(config)) return config;
    await authorize(config);
    return config;
  };

  return {
    immediate,
    waiting,
    choosesImmediate,
    choosesWaiting,
    prefix,
    sentEpochOf: redirectGuard.epochOf,
  };
}

type RedirectHook = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>;

/**
 * In Node, axios follows redirects itself (follow-redirects), which strips only `Authorization`
 * and only on some hops, depending on its version: a custom header name, or a redirect to a
 * subdomain, would carry the token on. This hook, run before each hop after any hook of the
 * user's, removes our header whenever the next URL is not trusted. Browsers apply the same rule
 * to cross-origin redirects themselves and never call it.
 *
 * Set on every request anyway, the hook also carries the request's note of how many refreshes had
 * settled when it was sent (see `SessionCore.afterRefusal`): one hook per count, shared by
 * the requests sent under it. As a property of the config, the note survives interceptors that
 * copy or replace the headers, and it costs no write of its own.
 */
function createRedirectGuard(headerName: string, isTrusted: (config: UrlConfig) => boolean) {
  const lowerName = headerName.toLowerCase();
  const strip = (options: Record<string, unknown>) => {
    const headers = options['headers'] as Record<string, unknown> | undefined;
    const href = options['href'];
    if (!headers || (typeof href === 'string' && isTrusted({ url: href }))) return;
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === lowerName) delete headers[name];
    }
  };
  /** Every hook made here: the count it notes, and the user's own hook that it runs first. */
  const hooks = new WeakMap<RedirectHook, { epoch: number; own: RedirectHook | undefined }>();
  let shared: { hook: RedirectHook; epoch: number } | undefined;

  function hookFor(epoch: number, own: RedirectHook | undefined): RedirectHook {
    if (own) {
      const chained: RedirectHook = (options, response, request) => {
        own(options, response, request);
        strip(options);
      };
      hooks.set(chained, { epoch, own });
      return chained;
    }
    if (shared?.epoch !== epoch) {
      const hook: RedirectHook = (options) => strip(options);
      hooks.set(hook, { epoch, own: undefined });
      shared = { hook, epoch };
    }
    return shared.hook;
  }

  return {
    guard(config: InternalAxiosRequestConfig, epoch: number): void {
      const current = config.beforeRedirect;
      // Ours already (a replay carries the first send's): renewed with the count of this send.
      const ours = current && hooks.get(current);
      if (ours && ours.epoch === epoch) return;
      config.beforeRedirect = hookFor(epoch, ours ? ours.own : current);
    },
    epochOf(config: unknown): number | undefined {
      const hook = (config as { beforeRedirect?: unknown } | undefined)?.beforeRedirect;
      return typeof hook === 'function' ? hooks.get(hook as RedirectHook)?.epoch : undefined;
    },
  };
}
