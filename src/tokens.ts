import { InvalidTokenResponseError } from './errors.js';
import type { RefreshResult, TokenSet } from './types.js';

/** RFC 6750 §2.1 b64token: the characters a bearer token may hold. */
const BEARER_TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;

type Problem = { field: string; problem: string };

function checkTokenSet(value: unknown): Problem | undefined {
  if (typeof value !== 'object' || value === null) {
    return { field: 'the token set', problem: 'must be an object' };
  }
  const { accessToken, refreshToken, expiresAt, expiresIn } = value as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') {
    return { field: 'accessToken', problem: 'must be a non-empty string' };
  }
  if (!BEARER_TOKEN_SYNTAX.test(accessToken)) {
    return {
      field: 'accessToken',
      problem: 'has characters a bearer token cannot hold (RFC 6750: A-Z a-z 0-9 -._~+/ then =)',
    };
  }
  if (refreshToken !== undefined && refreshToken !== null && typeof refreshToken !== 'string') {
    return { field: 'refreshToken', problem: 'must be a string when present' };
  }
  if (expiresAt !== undefined && expiresAt !== null && !Number.isFinite(expiresAt)) {
    return { field: 'expiresAt', problem: 'must be a finite number of epoch milliseconds' };
  }
  if (expiresIn !== undefined && expiresIn !== null && !Number.isFinite(expiresIn)) {
    return { field: 'expiresIn', problem: 'must be a finite number of seconds' };
  }
  return undefined;
}

/**
 * Turns a refresh result (or tokens given to `setTokens`) into a token set: `expiresAt` is taken
 * as given, else from `expiresIn` counted from `startedAt`, else from the JWT `exp` claim. A
 * missing refresh token keeps `previous`'s.
 */
function toTokenSet(value: RefreshResult, previous: TokenSet | null, startedAt: number): TokenSet {
  const expiresAt =
    typeof value.expiresAt === 'number'
      ? value.expiresAt
      : typeof value.expiresIn === 'number'
        ? startedAt + value.expiresIn * 1000
        : jwtExpiry(value.accessToken);
  const refreshToken =
    typeof value.refreshToken === 'string' ? value.refreshToken : previous?.refreshToken;
  const tokens: TokenSet = { accessToken: value.accessToken };
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  if (expiresAt !== undefined) tokens.expiresAt = expiresAt;
  return tokens;
}

/** For refresh results: throws `InvalidTokenResponseError`, which never holds the value. */
export function tokensFromRefresh(
  value: unknown,
  previous: TokenSet | null,
  startedAt: number,
): TokenSet {
  const problem = checkTokenSet(value);
  if (problem) throw new InvalidTokenResponseError(problem.field, problem.problem);
  return toTokenSet(value as RefreshResult, previous, startedAt);
}

/** For tokens a user hands us: throws a `TypeError` naming the field, never the value. */
export function tokensFromUser(value: unknown, where: string, now: number): TokenSet {
  const problem = checkTokenSet(value);
  if (problem) throw new TypeError(`${where}: ${problem.field} ${problem.problem}.`);
  return toTokenSet(value as RefreshResult, null, now);
}

/** For tokens read back from a store: anything malformed reads as no tokens. */
export function tokensFromStore(value: unknown): TokenSet | null {
  try {
    if (value === null || value === undefined || checkTokenSet(value)) return null;
    return toTokenSet(value as RefreshResult, null, 0);
  } catch {
    return null; // a getter that throws, a hostile Proxy
  }
}

/**
 * The `exp` claim of a JWT in epoch ms, read without verifying anything (a client cannot verify a
 * token meant for the API). Anything that is not a JWT with a numeric `exp` gives `undefined`.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const payload: unknown = JSON.parse(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When a token should be refreshed before it is sent, in epoch ms (`Infinity`: never, leave it to
 * the refusal path). Tokens that live less than twice the leeway are refreshed at half their life;
 * a token that was already expired when issued is sent as is, so a token endpoint that hands out
 * stale tokens cannot make every request refresh.
 */
export function refreshDeadline(tokens: TokenSet, leeway: number, issuedAt?: number): number {
  const { expiresAt } = tokens;
  if (expiresAt === undefined) return Infinity;
  if (issuedAt === undefined) return expiresAt - leeway;
  const lifetime = expiresAt - issuedAt;
  return lifetime <= 0 ? Infinity : expiresAt - Math.min(leeway, lifetime / 2);
}

/** A short one-way fingerprint (FNV-1a, 32 bits) to correlate a token in logs without it. */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
