/**
 * A minimal OAuth 2 token endpoint client on axios (RFC 6749 §2.3.1, §3.2, §5): builds the
 * form-encoded request with the client's authentication, checks the JSON answer, and turns each
 * error response into the error the session acts on.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import {
  InvalidTokenResponseError,
  OAuthConfigurationError,
  RefreshFailedError,
  SessionEndedError,
} from '../errors.js';
import { isAxiosLikeError, oauthErrorOf, safeCause } from '../redact.js';
import type { RefreshResult } from '../types.js';

/** How the client proves its identity to the token endpoint (RFC 6749 §2.3). */
export type ClientAuthentication = 'none' | 'client_secret_basic' | 'client_secret_post';

/** Body parameters: a string, or several strings sent as repeated parameters. */
export type TokenRequestParams = Record<string, string | readonly string[]>;

/** Options every grant shares. */
export interface TokenEndpointOptions {
  /** The absolute `http:` or `https:` URL of the token endpoint. */
  tokenEndpoint: string | URL;
  /** The client identifier registered at the authorization server. */
  clientId: string;
  /** The client secret, for confidential clients. Never sent anywhere but the token endpoint. */
  clientSecret?: string | undefined;
  /**
   * How the client authenticates: `'client_secret_basic'` (an `Authorization: Basic` header,
   * RFC 6749 §2.3.1), `'client_secret_post'` (the secret in the body) or `'none'` (a public
   * client, such as a browser app: only `client_id` is sent). Default: `'client_secret_basic'`
   * when `clientSecret` is given, else `'none'`.
   */
  clientAuthentication?: ClientAuthentication | undefined;
  /** The scope to request, as a space-separated string or a list. Default: none sent. */
  scope?: string | readonly string[] | undefined;
  /**
   * More body parameters for the token request, such as a vendor's own. They cannot replace the
   * ones this library sets (`grant_type`, `refresh_token`, `client_id`, `client_secret`).
   */
  extraParams?: TokenRequestParams | undefined;
  /**
   * The axios instance that sends the token requests, for proxies, agents or tracing. Requests
   * pass `skipAuth: true`, so an instance a session is attached to sends them without a bearer
   * token and without waiting for the refresh they belong to. Default: a bare `axios.create()`,
   * so no interceptor of yours sees the refresh token.
   */
  axios?: AxiosInstance | undefined;
}

/** Checked options, ready to send with. */
export interface TokenEndpointClient {
  /** POSTs `params` (plus client authentication) and returns the checked token response. */
  request(
    params: TokenRequestParams,
    signal: AbortSignal,
    secrets: string[],
  ): Promise<RefreshResult>;
}

const CLIENT_AUTHENTICATIONS: readonly ClientAuthentication[] = [
  'none',
  'client_secret_basic',
  'client_secret_post',
];

/** Parameters this library sets itself; `extraParams` may not replace them. */
const RESERVED_PARAMS = new Set(['grant_type', 'refresh_token', 'client_id', 'client_secret']);

/** OAuth error codes that mean the client or request configuration is wrong (RFC 6749 §5.2). */
const CONFIGURATION_ERRORS: Readonly<Record<string, string>> = {
  invalid_client:
    'the token endpoint did not accept the client credentials. Check clientId, clientSecret and ' +
    'clientAuthentication against the client registration',
  unauthorized_client:
    'the client may not use this grant. Check clientId, clientSecret and clientAuthentication, ' +
    'and the grant types allowed in the client registration',
  unsupported_grant_type:
    'the authorization server does not support this grant type, or it is not enabled',
  invalid_scope: 'the requested scope is invalid, unknown or exceeds what was granted; check scope',
  invalid_target: 'the requested resource or audience is invalid; check resource and audience',
  invalid_request:
    'the token request was rejected as malformed; check extraParams and clientAuthentication',
};

/** RFC 6749 §5.2 `error` syntax (NQSCHAR), so a hostile server cannot put anything in a message. */
const ERROR_CODE_SYNTAX = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function checkString(where: string, name: string, value: unknown, optional: boolean) {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${where}: \`${name}\` must be a non-empty string.`);
  }
}

function checkParams(where: string, name: string, params: unknown) {
  if (params === undefined) return;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TypeError(`${where}: \`${name}\` must be an object of string values.`);
  }
  for (const [key, value] of Object.entries(params)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (!values.every((item) => typeof item === 'string')) {
      throw new TypeError(`${where}: \`${name}.${key}\` must be a string or a list of strings.`);
    }
    if (RESERVED_PARAMS.has(key)) {
      throw new TypeError(
        `${where}: \`${name}\` cannot set \`${key}\`; it is set from the options.`,
      );
    }
  }
}

function parseEndpoint(where: string, endpoint: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' || endpoint instanceof URL ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError(
      `${where}: \`tokenEndpoint\` must be an absolute http: or https: URL, such as ` +
        "'https://auth.example.com/oauth/token'.",
    );
  }
  if (url.username || url.password) {
    throw new TypeError(
      `${where}: \`tokenEndpoint\` must not hold credentials; pass clientId and clientSecret.`,
    );
  }
  return url.href;
}

/** A list or space-separated string of scopes as one parameter value, or `undefined`. */
export function scopeParam(where: string, scope: unknown): string | undefined {
  if (scope === undefined) return undefined;
  const list = typeof scope === 'string' ? [scope] : scope;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new TypeError(`${where}: \`scope\` must be a string or a list of strings.`);
  }
  const joined = list.join(' ').trim();
  return joined === '' ? undefined : joined;
}

/** Turns a string body into an object when it is JSON; anything else is left as it came. */
function parseJsonBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function describeContentType(response: AxiosResponse): string {
  const type: unknown = response.headers['content-type'];
  return typeof type === 'string' && type !== '' ? type.split(';')[0]!.trim() : 'none';
}

/** Checks a successful token response (RFC 6749 §5.1); the error names the field, never a value. */
function tokenResultOf(response: AxiosResponse): RefreshResult {
  const data: unknown = response.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidTokenResponseError(
      'the token response',
      `is not a JSON object (status ${response.status}, content type ${describeContentType(response)})`,
    );
  }
  const body = data as Record<string, unknown>;
  const { access_token: accessToken, token_type: tokenType } = body;
  if (accessToken === undefined || accessToken === null) {
    throw new InvalidTokenResponseError('access_token', 'is missing from the token response');
  }
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new InvalidTokenResponseError('access_token', 'must be a non-empty string');
  }
  if (typeof tokenType !== 'string') {
    throw new InvalidTokenResponseError('token_type', 'is missing from the token response');
  }
  if (tokenType.toLowerCase() !== 'bearer') {
    const shown = /^[\w.-]{1,32}$/.test(tokenType) ? ` ('${tokenType}')` : '';
    throw new InvalidTokenResponseError(
      'token_type',
      `is not Bearer${shown}; only bearer tokens are supported`,
    );
  }

  const result: RefreshResult = { accessToken };
  const expiresIn = body['expires_in'];
  if (expiresIn !== undefined && expiresIn !== null) {
    // Some servers send the number as a string.
    const seconds =
      typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new InvalidTokenResponseError('expires_in', 'must be a number of seconds');
    }
    result.expiresIn = seconds;
  }
  const refreshToken = body['refresh_token'];
  if (refreshToken !== undefined && refreshToken !== null) {
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new InvalidTokenResponseError('refresh_token', 'must be a non-empty string');
    }
    result.refreshToken = refreshToken;
  }
  return result;
}

/** The error the session acts on for a failed token request; holds nothing from `secrets`. */
function failureOf(error: unknown, grant: string, secrets: string[]): Error {
  const cause = safeCause(error, secrets);
  const response = isAxiosLikeError(error) ? error.response : undefined;
  const status = response?.status;
  if (status === undefined) {
    return new RefreshFailedError(
      `Token request (${grant} grant) failed: ${cause.message}. Tokens kept; the next expiring ` +
        'or refused request tries again.',
      { cause },
    );
  }

  const { oauthError, oauthErrorDescription } = oauthErrorOf(error, secrets);
  const code = oauthError !== undefined && ERROR_CODE_SYNTAX.test(oauthError) ? oauthError : '';
  if (code === 'invalid_grant') {
    return new SessionEndedError('refresh-refused', {
      cause,
      oauthError: code,
      oauthErrorDescription,
    });
  }
  const advice = CONFIGURATION_ERRORS[code];
  if (advice !== undefined) {
    return new OAuthConfigurationError(
      `Token request (${grant} grant) refused with ${code}: ${advice}. Retrying will not help; ` +
        'tokens kept.',
      { cause, status, oauthError: code, oauthErrorDescription },
    );
  }
  return new RefreshFailedError(
    `Token request (${grant} grant) failed with status ${status}${code ? ` (${code})` : ''}. ` +
      'Tokens kept; the next expiring or refused request tries again.',
    { cause, status },
  );
}

/**
 * Checks the shared options (throwing a `TypeError` that names the bad one) and returns a client
 * that sends token requests with them.
 */
export function tokenEndpointClient(
  where: string,
  grant: string,
  options: TokenEndpointOptions,
): TokenEndpointClient {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object with tokenEndpoint and clientId.`);
  }
  const url = parseEndpoint(where, options.tokenEndpoint);
  checkString(where, 'clientId', options.clientId, false);
  checkString(where, 'clientSecret', options.clientSecret, true);
  const { clientId, clientSecret } = options;
  const method = options.clientAuthentication ?? (clientSecret ? 'client_secret_basic' : 'none');
  if (!CLIENT_AUTHENTICATIONS.includes(method)) {
    throw new TypeError(
      `${where}: \`clientAuthentication\` must be one of ${CLIENT_AUTHENTICATIONS.join(', ')}.`,
    );
  }
  if (method === 'none' && clientSecret !== undefined) {
    throw new TypeError(
      `${where}: \`clientSecret\` is set but \`clientAuthentication\` is 'none', so it would ` +
        "never be sent. Use 'client_secret_basic' or 'client_secret_post', or drop the secret.",
    );
  }
  if (method !== 'none' && clientSecret === undefined) {
    throw new TypeError(`${where}: \`clientAuthentication\` '${method}' needs \`clientSecret\`.`);
  }
  checkParams(where, 'extraParams', options.extraParams);
  const scope = scopeParam(where, options.scope);
  const instance = options.axios ?? axios.create();
  if (typeof instance?.request !== 'function') {
    throw new TypeError(`${where}: \`axios\` must be an axios instance.`);
  }

  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  const clientSecrets: string[] = [];
  if (clientSecret !== undefined) {
    clientSecrets.push(clientSecret, formEncode(clientSecret));
  }
  if (method === 'client_secret_basic') {
    const credentials = btoa(`${formEncode(clientId)}:${formEncode(clientSecret!)}`);
    headers['Authorization'] = `Basic ${credentials}`;
    clientSecrets.push(credentials);
  }
  const extraParams = options.extraParams ?? {};

  return {
    async request(params, signal, secrets) {
      const body = new URLSearchParams();
      const append = (name: string, value: string | readonly string[]) => {
        for (const item of typeof value === 'string' ? [value] : value) body.append(name, item);
      };
      for (const [name, value] of Object.entries(params)) append(name, value);
      if (scope !== undefined && !('scope' in params)) body.set('scope', scope);
      if (method !== 'client_secret_basic') body.set('client_id', clientId);
      if (method === 'client_secret_post') body.set('client_secret', clientSecret!);
      for (const [name, value] of Object.entries(extraParams)) append(name, value);

      const allSecrets = [...secrets, ...clientSecrets];
      let response: AxiosResponse;
      try {
        response = await instance.request({
          method: 'POST',
          url,
          // An absolute URL; a baseURL of the instance must not be put in front of it.
          allowAbsoluteUrls: true,
          data: body.toString(),
          headers,
          signal,
          skipAuth: true,
          responseType: 'text',
          transformResponse: [parseJsonBody],
          validateStatus: (status) => status >= 200 && status < 300,
          // A redirect would carry the credentials to another URL; token endpoints do not move.
          maxRedirects: 0,
        });
      } catch (error) {
        throw failureOf(error, grant, allSecrets);
      }
      return tokenResultOf(response);
    },
  };
}
