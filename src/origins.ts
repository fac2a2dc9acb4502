/**
 * Which URLs may receive the token: by default the origin of the instance's own `baseURL` and,
 * in a browser, the page's origin (relative URLs); beyond that only what `trustedOrigins` lists.
 * An https origin never trusts its http twin, and a redirect is judged by where it goes.
 */

/** Matches what axios treats as absolute: `scheme://` or protocol-relative `//`. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

export type TrustedOrigin = string | ((url: URL) => boolean);

export interface UrlConfig {
  url?: string | undefined;
  baseURL?: string | undefined;
  allowAbsoluteUrls?: boolean | undefined;
}

function pageLocation(): { origin: string; base(): string } | undefined {
  const scope = globalThis as {
    location?: { origin?: unknown; href?: unknown };
    document?: { baseURI?: unknown };
  };
  const origin = scope.location?.origin;
  if (typeof origin !== 'string' || !/^https?:/.test(origin)) return undefined;
  if (typeof scope.location?.href !== 'string') return undefined;
  return {
    origin,
    // What the browser resolves relative URLs against: a <base> element may name another origin.
    base: () => {
      const base = scope.document?.baseURI;
      return typeof base === 'string' ? base : String(scope.location?.href);
    },
  };
}

function originOf(url: string | undefined, base?: string): string | undefined {
  if (!url) return undefined;
  try {
    const origin = new URL(url, base).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function parseTrustedOrigin(entry: string, index: number): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(entry);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.href !== `${parsed.origin}/`) {
    throw new TypeError(
      `attachBearerAuth: trustedOrigins[${index}] must be an origin like ` +
        "'https://api.example.com' (no path) or a function (url: URL) => boolean.",
    );
  }
  return parsed.origin;
}

/** Joins a relative URL to a base the way axios's combineURLs does. */
function joinUrl(base: string, url: string): string {
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base;
}

/** `url` starts with one `/` (not `//`, protocol-relative). */
function isPath(url: string): boolean {
  return url.charCodeAt(0) === 47 /* / */ && url.charCodeAt(1) !== 47;
}

/** `url` starts with `origin` followed by the end, `/`, `?` or `#`: no parsing needed. */
function startsWithOrigin(url: string, origin: string): boolean {
  if (!url.startsWith(origin)) return false;
  const next = url.charCodeAt(origin.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */ || next === 35; /* # */
}

/**
 * Builds the trust check for one instance. `defaults` is read on every request, so a `baseURL`
 * set after attaching counts.
 */
export function createOriginPolicy(
  defaults: { baseURL?: string | undefined },
  entries: readonly TrustedOrigin[] = [],
): (config: UrlConfig) => boolean {
  if (!Array.isArray(entries)) {
    throw new TypeError('attachBearerAuth: trustedOrigins must be an array.');
  }
  const origins: string[] = [];
  const predicates: Array<(url: URL) => boolean> = [];
  entries.forEach((entry, index) => {
    if (typeof entry === 'function') predicates.push(entry);
    else if (typeof entry === 'string') origins.push(parseTrustedOrigin(entry, index));
    else origins.push(parseTrustedOrigin(String(entry), index)); // a URL object, say
  });
  const page = pageLocation();
  if (page) origins.push(page.origin);

  let cachedBase: string | undefined;
  let cachedPageBase: string | undefined;
  let cachedBaseOrigin: string | undefined;
  function instanceOrigin(): string | undefined {
    const pageBase = page?.base();
    if (defaults.baseURL !== cachedBase || pageBase !== cachedPageBase) {
      cachedBase = defaults.baseURL;
      cachedPageBase = pageBase;
      const own = originOf(cachedBase);
      // A baseURL that the page resolves to another origin ('https:/host', which axios 1.7 passes
      // on as it is) vouches for nothing.
      cachedBaseOrigin =
        own !== undefined && (pageBase === undefined || originOf(cachedBase, pageBase) === own)
          ? own
          : undefined;
    }
    return cachedBaseOrigin;
  }

  function isTrustedUrl(fullUrl: string): boolean {
    const own = instanceOrigin();
    if (own !== undefined && startsWithOrigin(fullUrl, own)) return true;
    for (const origin of origins) {
      if (startsWithOrigin(fullUrl, origin)) return true;
    }
    // Judged the way the request will be sent: the URL parser ignores leading spaces and control
    // characters and drops tabs and line breaks, so no pattern may decide what is "absolute".
    let parsed: URL;
    try {
      parsed = new URL(fullUrl, page?.base());
    } catch {
      // No page to resolve against (Node): only a plain path, which axios sends nowhere but to a
      // configured socket. Anything else that fails to parse, protocol-relative URLs included,
      // gets no token.
      return !page && /^\/(?![/\\])/.test(fullUrl);
    }
    if (parsed.origin === own || origins.includes(parsed.origin)) return true;
    return predicates.some((predicate) => {
      try {
        return predicate(parsed) === true;
      } catch {
        return false; // fail closed: a predicate that throws trusts nothing
      }
    });
  }

  return function isTrusted(config: UrlConfig): boolean {
    const url = config.url === undefined ? '' : String(config.url);
    const base = config.baseURL;
    // A path such as '/items' is never absolute: the common case skips the pattern.
    const absolute = !isPath(url) && ABSOLUTE_URL.test(url);
    if (base && !absolute) {
      // Joined to the instance's own absolute baseURL, any relative URL stays on its origin. A
      // relative baseURL ('/', '/api') decides nothing: joined, '\\host' or '\t/host' is another
      // host to the URL parser, so the joined URL is judged as the page will resolve it.
      if (base === defaults.baseURL && instanceOrigin() !== undefined) return true;
      return isTrustedUrl(joinUrl(base, url));
    }
    if (base && config.allowAbsoluteUrls === false) {
      // axios 1.7 has no such option and sends the absolute URL as it is; newer axios joins it to
      // the base. Where it goes depends on the version: both must be trusted.
      return isTrustedUrl(url) && isTrustedUrl(joinUrl(base, url));
    }
    return isTrustedUrl(url);
  };
}
