import axios from 'axios';
import { clientCredentials, refreshTokenGrant } from '../../src/index.js';
import { TOKEN_ENDPOINT } from './mock-helpers.js';

const bare = axios.create({ baseURL: 'http://127.0.0.1:9' });

describe('grant options are checked when the grant is created', () => {
  test.each([
    [
      { tokenEndpoint: '/token', clientId: 'a' },
      /`tokenEndpoint` must be an absolute http: or https: URL/,
    ],
    [
      { tokenEndpoint: 'ftp://127.0.0.1/token', clientId: 'a' },
      /`tokenEndpoint` must be an absolute/,
    ],
    [{ tokenEndpoint: 'http://u:p@127.0.0.1/token', clientId: 'a' }, /must not hold credentials/],
    [{ tokenEndpoint: TOKEN_ENDPOINT, clientId: '' }, /`clientId` must be a non-empty string/],
    [{ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientSecret: '' }, /`clientSecret` must be/],
    [
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientAuthentication: 'private_key_jwt' },
      /`clientAuthentication` must be one of none, client_secret_basic, client_secret_post/,
    ],
    [
      {
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'a',
        clientSecret: 's',
        clientAuthentication: 'none',
      },
      /`clientSecret` is set but `clientAuthentication` is 'none'/,
    ],
    [
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientAuthentication: 'client_secret_post' },
      /'client_secret_post' needs `clientSecret`/,
    ],
    [
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', scope: 3 },
      /`scope` must be a string or a list/,
    ],
    [
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: { x: 1 } },
      /`extraParams.x` must be a string/,
    ],
    [
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', extraParams: { grant_type: 'password' } },
      /`extraParams` cannot set `grant_type`/,
    ],
    [
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', axios: {} },
      /`axios` must be an axios instance/,
    ],
  ])('refreshTokenGrant(%o) throws a TypeError', (options, message) => {
    expect(() => refreshTokenGrant(options as never)).toThrow(TypeError);
    expect(() => refreshTokenGrant(options as never)).toThrow(message);
  });

  test('clientCredentials requires a client secret', () => {
    expect(() =>
      clientCredentials({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a' } as never),
    ).toThrow(/clientCredentials: `clientSecret` is required/);
  });

  test('clientCredentials checks audience and resource', () => {
    const base = { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', clientSecret: 's', axios: bare };
    expect(() => clientCredentials({ ...base, audience: '' })).toThrow(/`audience` must be/);
    expect(() => clientCredentials({ ...base, resource: [''] })).toThrow(
      /`resource` must be a URI/,
    );
  });

  test('valid options build without sending anything', () => {
    expect(
      typeof refreshTokenGrant({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'a', axios: bare }),
    ).toBe('function');
  });
});
