/**
 * isInvalidTokenChallenge: an RFC 6750 §3 refusal (`WWW-Authenticate: Bearer
 * error="invalid_token"`) read from any well-formed header, and `false`, never an exception, for
 * everything else.
 */
import axios, { AxiosHeaders } from 'axios';
import fc from 'fast-check';
import { attachBearerAuth, createAuthSession, isInvalidTokenChallenge } from '../../src/index.js';
import { ACCESS_1, ACCESS_2, mockedInstance, startRecordingServer, tokenOf } from './support.js';

/** An error shaped as axios rejects with, whose response carries `header` as WWW-Authenticate. */
function refusal(header: unknown, status = 401) {
  return { isAxiosError: true, response: { status, headers: { 'www-authenticate': header } } };
}

describe('isInvalidTokenChallenge', () => {
  it.each([
    ['the plain form', 'Bearer error="invalid_token"'],
    [
      'realm and description around it',
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
    ],
    ['a lower-case scheme and upper-case names', 'bearer ERROR="invalid_token"'],
    ['an unquoted value', 'BEARER Error=invalid_token'],
    ['spaces around =', 'Bearer error = "invalid_token"'],
    ['no space after the comma', 'Bearer realm="x",error="invalid_token"'],
    ['an empty list element first', 'Bearer , error="invalid_token"'],
    ['a Basic challenge first', 'Basic realm="files", Bearer error="invalid_token"'],
    ['a Bearer challenge first', 'Bearer error="invalid_token", Basic realm="files"'],
    ['a token68 challenge first', 'Negotiate YII5dGVzdA==, Bearer error="invalid_token"'],
    [
      'quoted strings with commas and escaped quotes before it',
      'Newauth realm="apps", type=1, title="Login to \\"apps\\", please", ' +
        'Bearer realm="a, b", error_description="say \\"hi\\", then go", error="invalid_token"',
    ],
    ['a DPoP challenge beside it', 'DPoP algs="ES256", Bearer error="invalid_token"'],
    ['spaces inside the quoted code', 'Bearer error=" invalid_token "'],
    ['parameters separated by semicolons', 'Bearer realm="api"; error="invalid_token"'],
    ['a stray quoted string before the error', 'Bearer "api", error="invalid_token"'],
    ['an unterminated quoted code at the end', 'Bearer error="invalid_token'],
  ])('is true for %s', (_what, header) => {
    expect(isInvalidTokenChallenge(refusal(header))).toBe(true);
  });

  it.each([
    ['no error at all (401 to a request without token)', 'Bearer realm="example"'],
    ['a scheme alone', 'Bearer'],
    ['insufficient_scope', 'Bearer error="insufficient_scope", scope="admin"'],
    ['invalid_request', 'Bearer error="invalid_request"'],
    ['invalid_token in another scheme', 'Basic error="invalid_token"'],
    ['invalid_token inside a quoted realm', 'Bearer realm="error=\\"invalid_token\\""'],
    ['a Bearer challenge quoted inside another', 'Basic realm="Bearer error=\\"invalid_token\\""'],
    ['a Bearer challenge inside a stray quoted string', 'Basic "Bearer error=invalid_token"'],
    ['invalid_token inside a description', 'Bearer error_description="invalid_token"'],
    ['a longer error code', 'Bearer error="invalid_token_type"'],
    ['a scheme that only starts with Bearer', 'BearerX error="invalid_token"'],
    ['an error code in another case (codes are case-sensitive)', 'Bearer error="INVALID_TOKEN"'],
  ])('is false for %s', (_what, header) => {
    expect(isInvalidTokenChallenge(refusal(header))).toBe(false);
  });

  it('is false for a 403 insufficient_scope, the answer a new token cannot change', () => {
    expect(
      isInvalidTokenChallenge(refusal('Bearer error="insufficient_scope", scope="admin"', 403)),
    ).toBe(false);
  });

  it('reads several header values, as an array or joined', () => {
    const values = ['Basic realm="files"', 'Bearer error="invalid_token"'];
    expect(isInvalidTokenChallenge(refusal(values))).toBe(true);
    expect(isInvalidTokenChallenge(refusal(values.join(', ')))).toBe(true);
    expect(
      isInvalidTokenChallenge(refusal(['Basic realm="a, Bearer', 'error=invalid_token"'])),
    ).toBe(false);
  });

  it('keeps header values apart: a scheme ending one value does not run into the next', () => {
    expect(isInvalidTokenChallenge(refusal(['Negotiate', 'Bearer error="invalid_token"']))).toBe(
      true,
    );
  });

  it('reads no value that is not a string, even one that prints as a refusal', () => {
    const lookalike = { toString: () => 'Bearer error="invalid_token"' };
    expect(isInvalidTokenChallenge(refusal([lookalike]))).toBe(false);
  });

  it('finds the header in AxiosHeaders and in plain objects whatever its case', () => {
    const header = 'Bearer error="invalid_token"';
    const inAxiosHeaders = new AxiosHeaders({ 'WWW-Authenticate': header });
    expect(isInvalidTokenChallenge({ response: { headers: inAxiosHeaders } })).toBe(true);
    expect(isInvalidTokenChallenge({ response: { headers: { 'WWW-Authenticate': header } } })).toBe(
      true,
    );
  });

  it('finds the header among others in a plain object', () => {
    const headers = {
      'www-authenticate': 'Bearer error="invalid_token"',
      'content-type': 'text/plain',
    };
    expect(isInvalidTokenChallenge({ response: { headers } })).toBe(true);
  });

  it('reads the header through get() where there is one, as in a Fetch API Headers object', () => {
    const headers = new Headers({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    expect(isInvalidTokenChallenge({ response: { headers } })).toBe(true);
  });

  it.each([
    ['an empty header', ''],
    ['only commas', ',,, ,'],
    ['a lone quote', '"'],
    ['an unterminated quoted value', 'Basic realm="x, Bearer error="invalid_token'],
    ['equals signs', '====='],
    ['a backslash at the end', 'Bearer realm="\\'],
    ['a name without value', 'Bearer error='],
    ['a value without name', 'Bearer ="invalid_token"'],
    ['control characters', '\u0000\u0001Bearer\u0000error="invalid_token"'],
    ['a number', 401],
    ['an object', { error: 'invalid_token' }],
    ['null', null],
  ])('does not throw on %s', (_what, header) => {
    expect(() => isInvalidTokenChallenge(refusal(header))).not.toThrow();
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'Bearer error="invalid_token"'],
    ['an error without response', new Error('network down')],
    ['a response without headers', { response: { status: 401 } }],
    ['null headers', { response: { headers: null } }],
    [
      'headers whose getter throws',
      {
        response: {
          get headers() {
            throw new Error('boom');
          },
        },
      },
    ],
    [
      'headers whose get() throws',
      {
        response: {
          headers: {
            get() {
              throw new Error('boom');
            },
          },
        },
      },
    ],
  ])('is false, without throwing, for %s', (_what, error) => {
    expect(isInvalidTokenChallenge(error)).toBe(false);
  });

  it('reads a long hostile header in one pass', () => {
    // One unterminated quoted realm of escaped quotes and commas: the refusal is inside it.
    const quoted = `Bearer realm="${'\\", '.repeat(20_000)}Bearer error=\\"invalid_token\\"`;
    expect(isInvalidTokenChallenge(refusal(quoted))).toBe(false);
    const many = `${'Basic realm="r", '.repeat(20_000)}Bearer error="invalid_token"`;
    expect(isInvalidTokenChallenge(refusal(many))).toBe(true);
  });

  it('never throws and finds an appended refusal after any well-formed challenges', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,8}$/);
    const quoted = fc
      .string({ maxLength: 12 })
      .map((text) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
    const param = fc
      .tuple(token, fc.oneof(token, quoted))
      .map(([name, value]) => `${name}=${value}`);
    const challenge = fc
      .tuple(token, fc.array(param, { maxLength: 3 }))
      .filter(([scheme]) => scheme.toLowerCase() !== 'bearer')
      .map(([scheme, params]) => `${scheme} ${params.join(', ')}`.trim());
    fc.assert(
      fc.property(fc.array(challenge, { maxLength: 4 }), fc.string(), (challenges, noise) => {
        expect(isInvalidTokenChallenge(refusal(noise))).toEqual(expect.any(Boolean));
        const header = [...challenges, 'Bearer error="invalid_token"'].join(', ');
        expect(isInvalidTokenChallenge(refusal(header))).toBe(true);
        expect(isInvalidTokenChallenge(refusal(challenges.join(', ')))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isInvalidTokenChallenge as isRefusal', () => {
  function setup() {
    const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
    const session = createAuthSession({ refresh, tokens: { accessToken: ACCESS_1 } });
    const { instance, mock } = mockedInstance();
    attachBearerAuth(instance, session, { isRefusal: isInvalidTokenChallenge });
    return { instance, mock, refresh };
  }

  it('refreshes and replays on 401 with Bearer error="invalid_token"', async () => {
    const { instance, mock, refresh } = setup();
    mock
      .onGet('/me')
      .reply((config) =>
        tokenOf(config) === ACCESS_2
          ? [200, { ok: true }]
          : [401, {}, { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' }],
      );
    await expect(instance.get('/me')).resolves.toMatchObject({ data: { ok: true } });
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a 401 without WWW-Authenticate', 401, {}],
    ['a 401 with invalid_request', 401, { 'www-authenticate': 'Bearer error="invalid_request"' }],
    [
      'a 403 with insufficient_scope',
      403,
      { 'www-authenticate': 'Bearer error="insufficient_scope", scope="admin"' },
    ],
  ])('returns %s to the caller without a refresh', async (_what, status, headers) => {
    const { instance, mock, refresh } = setup();
    mock.onGet('/me').reply(status, {}, headers);
    await expect(instance.get('/me')).rejects.toMatchObject({ response: { status } });
    expect(refresh).not.toHaveBeenCalled();
  });

  it('reads two WWW-Authenticate header lines sent by a real server', async () => {
    const server = await startRecordingServer((request, res) => {
      if (request.headers.authorization === `Bearer ${ACCESS_2}`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      res.setHeader('WWW-Authenticate', ['Basic realm="files"', 'Bearer error="invalid_token"']);
      res.writeHead(401).end();
    });
    try {
      const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
      const api = axios.create({ baseURL: server.origin, proxy: false });
      attachBearerAuth(api, createAuthSession({ refresh, tokens: { accessToken: ACCESS_1 } }), {
        isRefusal: isInvalidTokenChallenge,
      });

      await expect(api.get('/me')).resolves.toMatchObject({ data: { ok: true } });
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(server.received.map((request) => request.headers.authorization)).toEqual([
        `Bearer ${ACCESS_1}`,
        `Bearer ${ACCESS_2}`,
      ]);
    } finally {
      await server.close();
    }
  });
});
