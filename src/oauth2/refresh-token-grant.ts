import { SessionEndedError } from '../errors.js';
import type { RefreshFunction } from '../types.js';
import { formEncode, tokenEndpointClient, type TokenEndpointOptions } from './token-endpoint.js';

/** Options for {@link refreshTokenGrant}. */
export type RefreshTokenGrantOptions = TokenEndpointOptions;

/**
 * A refresh function for `createAuthSession` that uses the OAuth 2 refresh token grant
 * (RFC 6749 §6). A new `refresh_token` in the answer replaces the old one (rotation); an answer
 * without one keeps it. `invalid_grant` ends the session; `invalid_client` and similar reject
 * with an `OAuthConfigurationError`; a 5xx, network error or timeout is transient.
 *
 * @example
 * const session = createAuthSession({
 *   tokens: tokensFromLogin,
 *   refresh: refreshTokenGrant({ tokenEndpoint: 'https://auth.example.com/token', clientId: 'spa' }),
 * });
 */
export function refreshTokenGrant(options: RefreshTokenGrantOptions): RefreshFunction {
  const client = tokenEndpointClient('refreshTokenGrant', 'refresh_token', options);
  return async (current, { signal }) => {
    const refreshToken = current?.refreshToken;
    if (!refreshToken) {
      // Nothing to refresh with: the user has to log in again.
      throw new SessionEndedError('no-tokens');
    }
    return client.request({ grant_type: 'refresh_token', refresh_token: refreshToken }, signal, [
      refreshToken,
      formEncode(refreshToken),
      current.accessToken,
    ]);
  };
}
