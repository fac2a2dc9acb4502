import {
  isRefreshFailedError,
  isSessionEndedError,
  RefreshFailedError,
  SessionEndedError,
} from './errors.js';
import { isAxiosLikeError, oauthErrorOf, safeCause, scrub } from './redact.js';

/**
 * What a failed refresh means for the session and every request waiting on it: a refused refresh
 * token (an axios error of status 400 or 401, or a `SessionEndedError` from the refresh function)
 * ends the session; anything else is transient and keeps the tokens. The error returned never
 * holds a token: causes are reduced by `safeCause`, scrubbing `secretsAtStart`.
 */
export function classifyFailure(
  error: unknown,
  secretsAtStart: readonly string[],
): RefreshFailedError | SessionEndedError {
  if (isSessionEndedError(error)) {
    return new SessionEndedError('refresh-refused', {
      cause: error.cause === undefined ? undefined : safeCause(error.cause, secretsAtStart),
      oauthError: error.oauthError,
      oauthErrorDescription:
        error.oauthErrorDescription && scrub(error.oauthErrorDescription, secretsAtStart),
    });
  }
  // Our own refresh failures (timeouts, unusable results, OAuth configuration errors) are built
  // with safe causes already.
  if (isRefreshFailedError(error)) return error;
  const cause = safeCause(error, secretsAtStart);
  const status = isAxiosLikeError(error) ? error.response?.status : undefined;
  if (status === 400 || status === 401) {
    return new SessionEndedError('refresh-refused', {
      cause,
      ...oauthErrorOf(error, secretsAtStart),
    });
  }
  return new RefreshFailedError(`Token refresh failed (${cause.message}); tokens kept.`, {
    cause,
    status,
  });
}
