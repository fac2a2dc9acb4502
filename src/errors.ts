/** Stable codes of the errors this library creates; compare `error.code` against these. */
export const ErrorCode = {
  REFRESH_FAILED: 'ERR_REFRESH_FAILED',
  REFRESH_TIMEOUT: 'ERR_REFRESH_TIMEOUT',
  INVALID_TOKEN_RESPONSE: 'ERR_INVALID_TOKEN_RESPONSE',
  SESSION_ENDED: 'ERR_SESSION_ENDED',
  NOT_REPLAYABLE: 'ERR_NOT_REPLAYABLE',
  OAUTH_CONFIGURATION: 'ERR_OAUTH_CONFIGURATION',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Why a session has no tokens. */
export type SessionEndReason =
  /** It never had any: no `tokens` option and nothing in the store. */
  | 'no-tokens'
  /** The refresh token was refused (for example OAuth `invalid_grant`). */
  | 'refresh-refused'
  /** `clear()` was called, here or in another tab. */
  | 'logout';

interface ErrorOptions {
  cause?: unknown;
}

/**
 * Base class of every error this library creates. None of them, nor anything on their `cause`
 * chain, holds a token: causes are reduced to what helps (name, message, code, status, method,
 * URL without query, OAuth error fields) before they are attached.
 */
export class BearerAuthError extends Error {
  override name = 'BearerAuthError';
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A refresh failed for a reason that may pass (5xx, network error, a bug in the refresh). */
export class RefreshFailedError extends BearerAuthError {
  override name = 'RefreshFailedError';
  /** HTTP status of the failed token request, when there was one. */
  readonly status: number | undefined;

  constructor(
    message: string,
    options?: ErrorOptions & { status?: number | undefined },
    code: ErrorCode = ErrorCode.REFRESH_FAILED,
  ) {
    super(message, code, options);
    this.status = options?.status;
  }
}

/** A refresh did not settle within `refreshTimeout`. */
export class RefreshTimeoutError extends RefreshFailedError {
  override name = 'RefreshTimeoutError';
  /** The timeout that elapsed, in ms. */
  readonly timeout: number;

  constructor(timeout: number) {
    super(
      `Token refresh timed out after ${timeout} ms. If the refresh function calls an axios ` +
        'instance this session is attached to, pass { skipAuth: true } on that call.',
      undefined,
      ErrorCode.REFRESH_TIMEOUT,
    );
    this.timeout = timeout;
  }
}

/** A refresh resolved to something that is not a usable token set. Never includes the value. */
export class InvalidTokenResponseError extends RefreshFailedError {
  override name = 'InvalidTokenResponseError';
  /** The field that is missing or malformed, such as `accessToken`. */
  readonly field: string;

  constructor(field: string, problem: string, options?: ErrorOptions) {
    super(
      `Unusable refresh result: ${field} ${problem}.`,
      options,
      ErrorCode.INVALID_TOKEN_RESPONSE,
    );
    this.field = field;
  }
}

/** The session has no tokens: never had any, the refresh token was refused, or logout. */
export class SessionEndedError extends BearerAuthError {
  override name = 'SessionEndedError';
  readonly reason: SessionEndReason;
  /** The OAuth 2 `error` code from the token endpoint, such as `invalid_grant`. */
  readonly oauthError: string | undefined;
  /** The OAuth 2 `error_description` from the token endpoint. */
  readonly oauthErrorDescription: string | undefined;

  constructor(
    reason: SessionEndReason,
    options?: ErrorOptions & {
      oauthError?: string | undefined;
      oauthErrorDescription?: string | undefined;
    },
  ) {
    super(sessionEndedMessage(reason, options?.oauthError), ErrorCode.SESSION_ENDED, options);
    this.reason = reason;
    this.oauthError = options?.oauthError;
    this.oauthErrorDescription = options?.oauthErrorDescription;
  }
}

function sessionEndedMessage(reason: SessionEndReason, oauthError: string | undefined): string {
  switch (reason) {
    case 'no-tokens':
      return 'No tokens: call session.setTokens() after login.';
    case 'logout':
      return 'Logged out: call session.setTokens() after the next login.';
    case 'refresh-refused':
      return `Refresh token refused${oauthError ? ` (${oauthError})` : ''}: log in again, then call session.setTokens().`;
  }
}

/** A refused request whose body cannot be sent twice (a stream); send it again yourself. */
export class NotReplayableError extends BearerAuthError {
  override name = 'NotReplayableError';

  constructor(what: string, options?: ErrorOptions) {
    super(
      `Refused request not replayed: its body (${what}) can be read only once. The token is ` +
        'refreshed; send the request again with a new body.',
      ErrorCode.NOT_REPLAYABLE,
      options,
    );
  }
}

/**
 * The token endpoint refused the client or the request rather than the refresh token (OAuth
 * `invalid_client`, `unauthorized_client`, `invalid_scope`, ...). Retrying will not help until
 * the configuration is fixed; the tokens are kept.
 */
export class OAuthConfigurationError extends RefreshFailedError {
  override name = 'OAuthConfigurationError';
  /** The OAuth 2 `error` code from the token endpoint, such as `invalid_client`. */
  readonly oauthError: string;
  /** The OAuth 2 `error_description` from the token endpoint. */
  readonly oauthErrorDescription: string | undefined;

  constructor(
    message: string,
    options: ErrorOptions & {
      status?: number | undefined;
      oauthError: string;
      oauthErrorDescription?: string | undefined;
    },
  ) {
    super(message, options, ErrorCode.OAUTH_CONFIGURATION);
    this.oauthError = options.oauthError;
    this.oauthErrorDescription = options.oauthErrorDescription;
  }
}

const refreshFailureCodes: ReadonlySet<unknown> = new Set([
  ErrorCode.REFRESH_FAILED,
  ErrorCode.REFRESH_TIMEOUT,
  ErrorCode.INVALID_TOKEN_RESPONSE,
  ErrorCode.OAUTH_CONFIGURATION,
]);
const allCodes: ReadonlySet<unknown> = new Set(Object.values(ErrorCode));

function codeOf(error: unknown): unknown {
  return error instanceof Error ? (error as { code?: unknown }).code : undefined;
}

// The guards compare `code` rather than use instanceof, so they hold across two copies of the
// library in one bundle.

/** True for every error this library creates. */
export function isBearerAuthError(error: unknown): error is BearerAuthError {
  return allCodes.has(codeOf(error));
}

/** True for a failed refresh, including timeouts and unusable results. */
export function isRefreshFailedError(error: unknown): error is RefreshFailedError {
  return refreshFailureCodes.has(codeOf(error));
}

/** True for a refresh that timed out. */
export function isRefreshTimeoutError(error: unknown): error is RefreshTimeoutError {
  return codeOf(error) === ErrorCode.REFRESH_TIMEOUT;
}

/** True for a refresh result that was not a usable token set. */
export function isInvalidTokenResponseError(error: unknown): error is InvalidTokenResponseError {
  return codeOf(error) === ErrorCode.INVALID_TOKEN_RESPONSE;
}

/** True when the session has no tokens and the user must log in. */
export function isSessionEndedError(error: unknown): error is SessionEndedError {
  return codeOf(error) === ErrorCode.SESSION_ENDED;
}

/** True for a refused request whose body could not be replayed. */
export function isNotReplayableError(error: unknown): error is NotReplayableError {
  return codeOf(error) === ErrorCode.NOT_REPLAYABLE;
}

/** True when the token endpoint refused the client configuration (a kind of refresh failure). */
export function isOAuthConfigurationError(error: unknown): error is OAuthConfigurationError {
  return codeOf(error) === ErrorCode.OAUTH_CONFIGURATION;
}
