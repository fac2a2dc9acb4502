import type { AxiosError } from 'axios';
import type { RefreshFailedError, SessionEndedError, SessionEndReason } from './errors.js';

/** The tokens a session holds. */
export interface TokenSet {
  /** Sent as `Authorization: Bearer <accessToken>` to trusted origins. */
  accessToken: string;
  /**
   * Handed to your refresh function and nowhere else. A refresh result without one keeps the
   * current refresh token (RFC 6749 §6: the server may or may not rotate it).
   */
  refreshToken?: string | undefined;
  /** When the access token expires, in epoch milliseconds. Absent: unknown. */
  expiresAt?: number | undefined;
}

/** What a refresh function resolves to. */
export interface RefreshResult extends TokenSet {
  /**
   * Lifetime of the new access token in seconds, counted from the moment the refresh started.
   * Used when `expiresAt` is absent.
   */
  expiresIn?: number | undefined;
}

/** Why a refresh was started. */
export type RefreshTrigger = 'refusal' | 'expiry' | 'manual' | 'empty';

/** Passed to your refresh function beside the current tokens. */
export interface RefreshContext {
  /** Aborted when the refresh times out; pass it to the HTTP call that gets the new tokens. */
  signal: AbortSignal;
  /** What started this refresh. */
  trigger: RefreshTrigger;
}

/**
 * Gets a new token set. Called with the tokens the session holds (`null` only when the session
 * has none and `refreshWhenEmpty` is on).
 *
 * Reject with an axios error whose response status is 400 or 401, or with a
 * `SessionEndedError`, when the refresh token itself was refused: the session then ends. Any
 * other rejection is a transient failure and the tokens are kept for a later try.
 *
 * Calls it makes through an instance this session is attached to must pass `skipAuth: true`.
 */
export type RefreshFunction = (
  current: TokenSet | null,
  context: RefreshContext,
) => Promise<RefreshResult>;

/**
 * Where a session keeps its tokens between page loads or processes. Each method may be
 * synchronous or return a promise.
 */
export interface TokenStore {
  /** The stored tokens, or `null`/`undefined` when there are none. */
  get(): TokenSet | null | undefined | Promise<TokenSet | null | undefined>;
  /** Replaces the stored tokens. */
  set(tokens: TokenSet): void | Promise<void>;
  /** Removes the stored tokens. */
  clear(): void | Promise<void>;
}

/** Sent to `onTokenRefreshed`. Holds no token, only a fingerprint of the new access token. */
export interface TokenRefreshedEvent {
  /** A short, one-way fingerprint of the new access token, for correlating logs. */
  fingerprint: string;
  /** When the new access token expires, in epoch ms, if known. */
  expiresAt: number | undefined;
  /** What started the refresh. */
  trigger: RefreshTrigger;
}

/** Sent to `onRefreshFailed`, once for each failed refresh however many requests waited. */
export interface RefreshFailedEvent {
  /** The error every waiting request rejects with. */
  error: RefreshFailedError | SessionEndedError;
  /** Whether this failure ended the session (tokens cleared). */
  sessionEnded: boolean;
}

/** Sent to `onSessionEnded`, exactly once each time a session with tokens loses them. */
export interface SessionEndedEvent {
  /** Why the session ended. */
  reason: SessionEndReason;
  /** The error later requests reject with until `setTokens` is called. */
  error: SessionEndedError;
}

/** Sent to `onReplay` just before a refused request is sent again. */
export interface ReplayEvent {
  /** Upper-case HTTP method. */
  method: string;
  /** The request URL without its query string or fragment. */
  url: string;
  /** Fingerprint of the access token the replay will carry. */
  fingerprint: string;
}

/** Sent to `onStoreError` when the token store throws or rejects. */
export interface StoreErrorEvent {
  /** The store method that failed. */
  operation: 'get' | 'set' | 'clear';
  /** What it threw, with any token scrubbed from its message. */
  error: Error;
}

/** Options for {@link createAuthSession}. */
export interface AuthSessionOptions {
  /** Gets new tokens; see {@link RefreshFunction}. Required. */
  refresh: RefreshFunction;
  /**
   * The initial tokens, for example right after a login. Default: none, in which case the
   * session loads them from `store`.
   */
  tokens?: TokenSet | null | undefined;
  /** Where tokens are kept. Default: `memoryStore()`. */
  store?: TokenStore | undefined;
  /**
   * How long a refresh may take, in ms, before every request waiting for it rejects with a
   * `RefreshTimeoutError`. Default: 30000.
   */
  refreshTimeout?: number | undefined;
  /**
   * A request about to carry an access token that expires within this many ms waits for a refresh
   * first. For tokens that live less than twice this long, half their lifetime is used instead,
   * so a short-lived token is not refreshed on every request. Default: 30000.
   */
  refreshLeeway?: number | undefined;
  /**
   * When the session holds no tokens, call `refresh(null)` on the next request instead of
   * rejecting it with a `SessionEndedError`. For grants that need no earlier token, such as
   * client credentials. Default: false.
   */
  refreshWhenEmpty?: boolean | undefined;
  /**
   * Coordinate the tabs of one origin that share `store` (a web storage store): one refresh for
   * all of them (Web Locks), and new tokens or a logout in one tab reach the others
   * (BroadcastChannel). `name` tells apart sessions of one origin. Default: false.
   */
  crossTab?: boolean | { name?: string | undefined } | undefined;
  /**
   * Called after every successful refresh.
   * @example onTokenRefreshed: ({ fingerprint, expiresAt }) => metrics.count('token.refreshed')
   */
  onTokenRefreshed?: ((event: TokenRefreshedEvent) => void) | undefined;
  /**
   * Called once for each failed refresh.
   * @example onRefreshFailed: ({ error }) => logger.warn({ code: error.code }, error.message)
   */
  onRefreshFailed?: ((event: RefreshFailedEvent) => void) | undefined;
  /**
   * Called once each time the session loses its tokens: refresh refused, or `clear()`.
   * @example onSessionEnded: () => router.navigate('/login')
   */
  onSessionEnded?: ((event: SessionEndedEvent) => void) | undefined;
  /**
   * Called before each replay of a refused request.
   * @example onReplay: ({ method, url }) => logger.debug({ method, url }, 'replaying')
   */
  onReplay?: ((event: ReplayEvent) => void) | undefined;
  /**
   * Called when the store throws or rejects. The session keeps working from memory.
   * @example onStoreError: ({ operation, error }) => logger.warn({ operation }, error.message)
   */
  onStoreError?: ((event: StoreErrorEvent) => void) | undefined;
}

/** Owns the tokens and the single refresh. One per user; share it between axios instances. */
export interface AuthSession {
  /** The tokens held now, or `null`. */
  getTokens(): TokenSet | null;
  /**
   * Adopts new tokens (after a login) and revives an ended session. Throws a `TypeError` when
   * they are malformed. Resolves when the store has them.
   */
  setTokens(tokens: TokenSet): Promise<void>;
  /** Logs out: forgets the tokens, clears the store and ends the session. */
  clear(): Promise<void>;
  /** Refreshes now, or joins the refresh already in flight, and resolves with the new tokens. */
  refresh(): Promise<TokenSet>;
  /** Resolves once the tokens have been read from the store. */
  readonly ready: Promise<void>;
}

/** Options for {@link attachBearerAuth}, per instance. */
export interface AttachOptions {
  /**
   * Whether a failed response means the token was refused and a refresh should follow.
   * Default: the response status is 401. See `isInvalidTokenChallenge` for RFC 6750 servers.
   */
  isRefusal?: ((error: AxiosError) => boolean) | undefined;
  /** The header that carries the token. Default: `'Authorization'`. */
  headerName?: string | undefined;
  /** The scheme written before the token. Default: `'Bearer'`. */
  scheme?: string | undefined;
  /**
   * Origins besides the instance's own `baseURL` (and, in a browser, the page) that may receive
   * the token: exact origins such as `'https://api.example.com'`, or predicates on the URL.
   * Default: none.
   */
  trustedOrigins?: ReadonlyArray<string | ((url: URL) => boolean)> | undefined;
}

/** What {@link attachBearerAuth} returns. */
export interface BearerAuthHandle {
  /** The session this instance uses. */
  readonly session: AuthSession;
  /** Removes exactly the interceptors this call added. Safe to call more than once. */
  eject(): void;
}

declare module 'axios' {
  // The type parameter must match axios's own declaration for the interfaces to merge.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface AxiosRequestConfig<D = any> {
    /** Send no token, never wait for a refresh and never start one. Default: false. */
    skipAuth?: boolean | undefined;
    /** Send the token, but return a refusal to the caller without a refresh. Default: false. */
    skipRefresh?: boolean | undefined;
  }
}
