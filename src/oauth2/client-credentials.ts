import type { RefreshFunction } from '../types.js';
import {
  tokenEndpointClient,
  type TokenEndpointOptions,
  type TokenRequestParams,
} from './token-endpoint.js';

/** Options for {@link clientCredentials}. */
export interface ClientCredentialsOptions extends TokenEndpointOptions {
  /** The client secret. Required: only confidential clients may use this grant. */
  clientSecret: string;
  /** Sent as the `audience` parameter (Auth0, Okta and others name the API this way). */
  audience?: string | undefined;
  /** Sent as one `resource` parameter each (RFC 8707 resource indicators). */
  resource?: string | readonly string[] | undefined;
}

/** What {@link clientCredentials} returns: options for `createAuthSession`. */
export interface ClientCredentialsSessionOptions {
  /** Gets a new access token with the client credentials grant. */
  refresh: RefreshFunction;
  /** Always on: the session starts without tokens and gets one on the first request. */
  refreshWhenEmpty: true;
}

/**
 * Session options for service-to-service calls with the OAuth 2 client credentials grant
 * (RFC 6749 §4.4): the session starts without tokens, gets one on the first request, and a new
 * one when it expires (`expires_in`) or is refused, one token request however many requests wait.
 *
 * @example
 * const session = createAuthSession({
 *   ...clientCredentials({ tokenEndpoint, clientId, clientSecret, audience: 'https://api.example.com' }),
 *   onRefreshFailed: ({ error }) => logger.warn({ code: error.code }, error.message),
 * });
 */
export function clientCredentials(
  options: ClientCredentialsOptions,
): ClientCredentialsSessionOptions {
  const where = 'clientCredentials';
  if (typeof options === 'object' && options !== null && options.clientSecret === undefined) {
    throw new TypeError(`${where}: \`clientSecret\` is required for the client credentials grant.`);
  }
  const client = tokenEndpointClient(where, 'client_credentials', options);
  const params: TokenRequestParams = { grant_type: 'client_credentials' };
  const { audience, resource } = options;
  if (audience !== undefined) {
    if (typeof audience !== 'string' || audience === '') {
      throw new TypeError(`${where}: \`audience\` must be a non-empty string.`);
    }
    params['audience'] = audience;
  }
  if (resource !== undefined) {
    const list: readonly unknown[] = typeof resource === 'string' ? [resource] : resource;
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && item !== '')) {
      throw new TypeError(`${where}: \`resource\` must be a URI or a list of URIs.`);
    }
    params['resource'] = list as string[];
  }
  return {
    refresh: async (_current, { signal }) => {
      const result = await client.request(params, signal, []);
      // RFC 6749 §4.4.3: no refresh token belongs to this grant; a new token comes from the
      // credentials again.
      delete result.refreshToken;
      return result;
    },
    refreshWhenEmpty: true,
  };
}
