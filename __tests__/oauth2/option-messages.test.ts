import axios from 'axios';
import { clientCredentials, refreshTokenGrant } from '../../src/index.js';
import { typeErrorOf } from '../core/helpers.js';
import { TOKEN_ENDPOINT } from './mock-helpers.js';

const bare = axios.create({ baseURL: 'http://127.0.0.1:9' });

const typeErrorMessage = (fn: () => unknown): string => typeErrorOf(fn).message;

// The whole message, as a developer reads it: which option, what is wrong, what to do.
describe('grant option errors read in full', () => {
  it.each<[string, unknown, string]>([
    [
      'options that are not an object',
      null,
      'refreshTokenGrant: options must be an object with tokenEndpoint and clientId.',
    ],
    [
      'a relative tokenEndpoint',
      { tokenEndpoint: '/oauth/token', clientId: 'a' },
      "refreshTokenGrant: `tokenEndpoint` must be an absolute http: or https: URL, such as 'https://auth.example.com/oauth/token'.",
    ],
    [
      'a tokenEndpoint that is a number',
      { tokenEndpoint: 443, clientId: 'a' },
      "refreshTokenGrant: `tokenEndpoint` must be an absolute http: or https: URL, such as 'https://auth.example.com/oauth/token'.",
    ],
    [
      'a tokenEndpoint with a password only',
      { tokenEndpoint: 'http://:p@127.0.0.1:9/token', clientId: 'a' },
      'refreshTokenGrant: `tokenEndpoint` must not hold credentials; pass clientId and clientSecret.',
    ],
    [
      'no clientId',
      { tokenEndpoint: TOKEN_ENDPOINT },
      'refreshTokenGrant: `clientId` must be a non-empty string.',
    ],
    [
      'a clientId that is not a string',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 7 },
      'refreshTokenGrant: `clientId` must be a non-empty string.',
    ],
    [
      'an unknown clientAuthentication',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientAuthentication: 'tls_client_auth' },
      'refreshTokenGrant: `clientAuthentication` must be one of none, client_secret_basic, client_secret_post.',
    ],
    [
      'a secret with clientAuthentication none',
      {
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'a',
        clientSecret: 's',
        clientAuthentication: 'none',
      },
      "refreshTokenGrant: `clientSecret` is set but `clientAuthentication` is 'none', so it would never be sent. Use 'client_secret_basic' or 'client_secret_post', or drop the secret.",
    ],
    [
      'client_secret_basic without a secret',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientAuthentication: 'client_secret_basic' },
      "refreshTokenGrant: `clientAuthentication` 'client_secret_basic' needs `clientSecret`.",
    ],
    [
      'extraParams that are a list',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: ['x'] },
      'refreshTokenGrant: `extraParams` must be an object of string values.',
    ],
    [
      'extraParams given as a query string',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: 'audience=api' },
      'refreshTokenGrant: `extraParams` must be an object of string values.',
    ],
    [
      'extraParams that are null',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: null },
      'refreshTokenGrant: `extraParams` must be an object of string values.',
    ],
    [
      'an extraParams value list with a number',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: { x: ['1', 2] } },
      'refreshTokenGrant: `extraParams.x` must be a string or a list of strings.',
    ],
    [
      'extraParams that set client_id',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: { client_id: 'b' } },
      'refreshTokenGrant: `extraParams` cannot set `client_id`; it is set from the options.',
    ],
    [
      'a scope list with a number',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', scope: ['read', 1] },
      'refreshTokenGrant: `scope` must be a string or a list of strings.',
    ],
    [
      'an axios option that is not an instance',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', axios: { request: 'no' } },
      'refreshTokenGrant: `axios` must be an axios instance.',
    ],
  ])('refreshTokenGrant with %s', (_title, options, message) => {
    expect(typeErrorMessage(() => refreshTokenGrant(options as never))).toBe(message);
  });

  const base = { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientSecret: 's', axios: bare };
  it.each<[string, unknown, string]>([
    [
      'no clientSecret',
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a' },
      'clientCredentials: `clientSecret` is required for the client credentials grant.',
    ],
    [
      'an audience that is not a string',
      { ...base, audience: 5 },
      'clientCredentials: `audience` must be a non-empty string.',
    ],
    [
      'an empty resource string',
      { ...base, resource: '' },
      'clientCredentials: `resource` must be a URI or a list of URIs.',
    ],
    [
      'a resource list with an empty URI',
      { ...base, resource: ['https://api.example', ''] },
      'clientCredentials: `resource` must be a URI or a list of URIs.',
    ],
    [
      'a resource list with a number',
      { ...base, resource: [443] },
      'clientCredentials: `resource` must be a URI or a list of URIs.',
    ],
    [
      'a resource that is an object',
      { ...base, resource: { uri: 'https://api.example' } },
      'clientCredentials: `resource` must be a URI or a list of URIs.',
    ],
    [
      'options that are not an object',
      'x',
      'clientCredentials: options must be an object with tokenEndpoint and clientId.',
    ],
    [
      'null options',
      null,
      'clientCredentials: options must be an object with tokenEndpoint and clientId.',
    ],
  ])('clientCredentials with %s', (_title, options, message) => {
    expect(typeErrorMessage(() => clientCredentials(options as never))).toBe(message);
  });

  it.each([
    ['a URL object as tokenEndpoint', { tokenEndpoint: new URL(TOKEN_ENDPOINT), clientId: 'a' }],
    ['an https tokenEndpoint', { tokenEndpoint: 'https://127.0.0.1:9/token', clientId: 'a' }],
    [
      'a scope list and list-valued extraParams',
      {
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'a',
        scope: ['a', 'b'],
        extraParams: { x: ['1', '2'] },
      },
    ],
  ])('refreshTokenGrant accepts %s', (_title, options) => {
    expect(typeof refreshTokenGrant({ ...options, axios: bare } as never)).toBe('function');
  });
});
