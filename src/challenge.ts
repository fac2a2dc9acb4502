/**
 * Reads `WWW-Authenticate` challenges (RFC 9110 §11.6.1):
 *
 *     challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *     auth-param = token BWS "=" BWS ( token / quoted-string )
 *
 * Challenges and their parameters are both separated by commas, so a name followed by `=` is a
 * parameter of the challenge before it, and any other name starts a new challenge. The reader is
 * forgiving: whatever does not fit the grammar is skipped, and nothing throws.
 */

export interface Challenge {
  /** The auth scheme in lower case, such as `bearer`. */
  scheme: string;
  /** Parameters by lower-case name, quoted values unescaped. The first of duplicates wins. */
  params: Record<string, string>;
  /** The token68 form (`Basic dXNlcjpwYXNz`), when the challenge has one. */
  token68?: string;
}

/** RFC 9110 tchar: what a scheme, a parameter name or an unquoted value is made of. */
const TOKEN = /[!#$%&'*+\-.^\w`|~]+/y;
/** A token68 standing alone up to the next comma or the end. */
const TOKEN68 = /[A-Za-z\d\-._~+/]+=*(?=[ \t]*(?:,|$))/y;
const SPACE = /[ \t]*/y;
const SEPARATORS = /[ \t,]*/y;

export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let at = 0;

  /** Consumes what `pattern` (sticky) matches at the cursor, possibly nothing. */
  const take = (pattern: RegExp): string => {
    pattern.lastIndex = at;
    const match = pattern.exec(header)?.[0] ?? '';
    at += match.length;
    return match;
  };

  /** A quoted-string at the cursor, unescaped; an unterminated one runs to the end. */
  const takeQuoted = (): string => {
    let value = '';
    for (at++; at < header.length && header[at] !== '"'; at++) {
      if (header[at] === '\\' && at + 1 < header.length) at++;
      value += header[at];
    }
    at++;
    return value;
  };

  while (at < header.length) {
    take(SEPARATORS);
    if (at >= header.length) break;
    const name = take(TOKEN);
    if (!name) {
      // Not part of any challenge: step over it (a whole quoted string, commas and all).
      if (header[at] === '"') takeQuoted();
      else at++;
      continue;
    }
    take(SPACE);
    if (header[at] === '=') {
      at++;
      take(SPACE);
      const value = header[at] === '"' ? takeQuoted() : take(TOKEN);
      const key = name.toLowerCase();
      if (current && !Object.hasOwn(current.params, key)) current.params[key] = value;
      continue;
    }
    current = { scheme: name.toLowerCase(), params: Object.create(null) as Record<string, string> };
    challenges.push(current);
    const token68 = take(TOKEN68);
    if (token68) current.token68 = token68;
  }
  return challenges;
}

/** The `WWW-Authenticate` value(s) of a response, joined with commas as HTTP allows. */
function wwwAuthenticate(headers: unknown): string {
  if (typeof headers !== 'object' || headers === null) return '';
  let value: unknown;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    value = (get as (name: string) => unknown).call(headers, 'www-authenticate');
  } else {
    for (const [name, entry] of Object.entries(headers)) {
      if (name.toLowerCase() === 'www-authenticate') value = entry;
    }
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join(', ');
  return '';
}

/**
 * True when a failed response carries an RFC 6750 §3 refusal of the token itself:
 * `WWW-Authenticate: Bearer error="invalid_token"` (in any of several challenges). Pass it as
 * `isRefusal` to refresh only when the server says the token is expired or revoked, not on every
 * 401. `insufficient_scope` (403) and `invalid_request` are never refusals: a new token would not
 * help.
 *
 * @example attachBearerAuth(api, session, { isRefusal: isInvalidTokenChallenge })
 */
export function isInvalidTokenChallenge(error: unknown): boolean {
  try {
    const response = (error as { response?: { headers?: unknown } } | null)?.response;
    return parseChallenges(wwwAuthenticate(response?.headers)).some(
      (challenge) =>
        challenge.scheme === 'bearer' && challenge.params['error']?.trim() === 'invalid_token',
    );
  } catch {
    // A header getter or proxy that throws is not a refusal.
    return false;
  }
}
