/**
 * Turns failures into safe copies before they are attached to our errors or events: loggers
 * serialise whole cause chains, and an axios error from a token endpoint carries the refresh token
 * in its request body and the access token in its headers.
 */

const MAX_CAUSE_DEPTH = 4;
const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of a known secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    // As written, and as it appears in a URL or a form body.
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (result.includes(form)) result = result.split(form).join('[redacted]');
    }
  }
  return result;
}

/** The URL without user info, query or fragment; unchanged when it cannot be parsed. */
export function urlWithoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  const path = cut === -1 ? url : url.slice(0, cut);
  return path.replace(/^([a-z][a-z\d+\-.]*:\/\/)[^/@]*@/i, '$1');
}

/** The URL a config is sent to, without query: baseURL joined as axios joins it. */
export function requestUrl(config: { url?: string | undefined; baseURL?: string | undefined }) {
  const url = config.url === undefined ? '' : String(config.url);
  const joined =
    config.baseURL && !/^([a-z][a-z\d+\-.]*:)?\/\//i.test(url)
      ? url
        ? `${config.baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`
        : config.baseURL
      : url;
  return urlWithoutQuery(joined);
}

interface AxiosLikeError {
  isAxiosError: true;
  code?: string;
  config?: { method?: string; url?: string; baseURL?: string };
  response?: { status?: number; data?: unknown };
}

export function isAxiosLikeError(error: unknown): error is AxiosLikeError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { isAxiosError?: unknown }).isAxiosError === true
  );
}

/** The OAuth 2 error fields (RFC 6749 §5.2) of a token endpoint's answer, if it has them. */
export function oauthErrorOf(error: unknown, secrets: readonly string[]) {
  const data = isAxiosLikeError(error) ? error.response?.data : undefined;
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const code = typeof record['error'] === 'string' ? scrub(record['error'], secrets) : undefined;
  const description =
    typeof record['error_description'] === 'string'
      ? scrub(record['error_description'], secrets)
      : undefined;
  return { oauthError: code, oauthErrorDescription: description };
}

/**
 * A copy of `error` that keeps what helps diagnose it (name, message, code, HTTP status, method,
 * URL without query, OAuth error fields, and its own cause, likewise reduced) and drops
 * everything else: request configs, headers, bodies, responses.
 */
export function safeCause(error: unknown, secrets: readonly string[], depth = 0): Error {
  // Duck-typed: errors from another realm (an iframe's DOMException) are not `instanceof Error`.
  const source: Error & { cause?: unknown } =
    typeof (error as Error | null)?.message === 'string'
      ? (error as Error)
      : new Error(typeof error === 'string' ? error : String(error));
  const copy = new Error(scrub(source.message, secrets));
  copy.name = typeof source.name === 'string' ? scrub(source.name, secrets) : 'Error';
  copy.stack = scrub(source.stack ?? '', secrets);
  const details: Record<string, unknown> = {};
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') details['code'] = scrub(code, secrets);
  if (typeof code === 'number') details['code'] = code;
  if (isAxiosLikeError(source)) {
    if (source.response?.status !== undefined) details['status'] = source.response.status;
    if (source.config) {
      details['method'] = source.config.method?.toUpperCase();
      details['url'] = scrub(requestUrl(source.config), secrets);
    }
    const { oauthError, oauthErrorDescription } = oauthErrorOf(source, secrets);
    if (oauthError !== undefined) details['oauthError'] = oauthError;
    if (oauthErrorDescription !== undefined)
      details['oauthErrorDescription'] = oauthErrorDescription;
  }
  Object.assign(copy, details);
  if (source.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    copy.cause = safeCause(source.cause, secrets, depth + 1);
  }
  return copy;
}
