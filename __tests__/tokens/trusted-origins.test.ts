/**
 * Trusted origins: the token goes only to the instance's own baseURL origin, the page (in a
 * browser) and what `trustedOrigins` lists; everything else gets no Authorization header, and its
 * 401 starts no refresh. The adapter is a mock that throws on anything unmatched, so none of
 * these hosts is ever contacted.
 */
import type { AxiosInstance } from 'axios';
import { attachBearerAuth, createAuthSession, type AttachOptions } from '../../src/index.js';
import { ACCESS_1, ACCESS_2, deferred, flush, mockedInstance, tokenOf } from './support.js';

const API = 'https://api.example.com';

/** An instance on `baseURL` whose every answer is 401, counting refreshes and tokens sent. */
function setup(baseURL: string | null, options: AttachOptions = {}) {
  const refresh = jest.fn(async () => ({ accessToken: ACCESS_2 }));
  const session = createAuthSession({ refresh, tokens: { accessToken: ACCESS_1 } });
  const { instance, mock } = mockedInstance(baseURL);
  attachBearerAuth(instance, session, options);
  const sent: Array<string | undefined> = [];
  mock.onAny().reply((config) => {
    sent.push(tokenOf(config));
    return [401, {}];
  });
  return { instance, refresh, sent };
}

/** Sends `url` and tells whether the token went with it and whether its 401 refreshed. */
async function probe(instance: AxiosInstance, url: string, extra: object = {}) {
  await instance.get(url, extra).catch(() => undefined);
}

async function expectTrusted(setupResult: ReturnType<typeof setup>, url: string, extra = {}) {
  await probe(setupResult.instance, url, extra);
  // Sent with the token, refused, refreshed once, replayed with the new token.
  expect(setupResult.sent).toEqual([ACCESS_1, ACCESS_2]);
  expect(setupResult.refresh).toHaveBeenCalledTimes(1);
}

async function expectUntrusted(setupResult: ReturnType<typeof setup>, url: string, extra = {}) {
  await probe(setupResult.instance, url, extra);
  // Sent without any token; its 401 went back to the caller with no refresh.
  expect(setupResult.sent).toEqual([undefined]);
  expect(setupResult.refresh).not.toHaveBeenCalled();
}

describe('the default policy: the origin of the instance baseURL', () => {
  it.each([
    ['a relative path', '/me'],
    ['a relative path without a slash', 'me'],
    ['an absolute URL on the same origin, another path', `${API}/other/path`],
    ['the host in upper case', 'https://API.EXAMPLE.COM/me'],
    ['the scheme in upper case', 'HTTPS://api.example.com/me'],
    ['the default port written out', 'https://api.example.com:443/me'],
    ['a query that names another host', `${API}/me?next=https://evil.example`],
  ])('sends the token to %s', async (_what, url) => {
    await expectTrusted(setup(`${API}/v1`), url);
  });

  it.each([
    ['another host', 'https://evil.example/me'],
    ['the http twin of the https origin', 'http://api.example.com/me'],
    ['another port of the same host', 'https://api.example.com:8443/me'],
    ['a host that merely starts with the trusted one', 'https://api.example.com.evil.com/me'],
    ['user info naming the trusted host', 'https://api.example.com@evil.example/me'],
    ['short user info', 'https://api@evil/'],
    ['user info with a tab the URL parser drops', 'https://api.example.com\t@evil.example/'],
    ['a protocol-relative URL', '//evil.example/me'],
    ['a protocol-relative URL to the trusted host (no scheme to judge by)', '//api.example.com/'],
    ['a path that names the trusted origin', 'https://evil.example/https://api.example.com'],
    ['a fragment that names the trusted origin', 'https://evil.example#https://api.example.com'],
    ['a fully qualified host with a trailing dot', 'https://api.example.com./me'],
    // As long as the trusted origin, so that a '?' follows where the origin would end.
    [
      'a URL whose query ends with the trusted origin',
      'https://evil.example.io?https://api.example.com',
    ],
    ['another scheme on the same host', 'ftp://api.example.com/me'],
  ])('sends no token to %s, and its 401 starts no refresh', async (_what, url) => {
    await expectUntrusted(setup(`${API}/v1`), url);
  });

  it('sends no token when a request overrides baseURL with another origin', async () => {
    await expectUntrusted(setup(API), '/me', { baseURL: 'https://evil.example' });
  });

  it('trusts a per-request baseURL on the trusted origin', async () => {
    await expectTrusted(setup(`${API}/v1`), '/me', { baseURL: `${API}/v2` });
  });

  it('trusts a per-request baseURL on the trusted origin that ends in a slash', async () => {
    await expectTrusted(setup(`${API}/v1`), 'me', { baseURL: `${API}/` });
  });

  // new URL('localhost:3000/api') has the scheme 'localhost:' and an opaque origin.
  it('sends no token to a relative URL under a baseURL without a scheme', async () => {
    await expectUntrusted(setup('localhost:3000/api'), '/me');
  });

  // axios 1.7 has no allowAbsoluteUrls and sends such a URL as it is: judging the URL as it stands
  // is the only safe reading (newer axios joins it to the baseURL; it then merely goes unsigned).
  it('judges an absolute URL as it stands even with allowAbsoluteUrls: false', async () => {
    await expectUntrusted(setup(API), 'https://evil.example/me', { allowAbsoluteUrls: false });
    await expectTrusted(setup(API), `${API}/me`, { allowAbsoluteUrls: false });
  });

  // axios sends an absolute URL as it is, whatever the baseURL.
  it('sends the token to an absolute URL on the trusted origin despite a per-request baseURL elsewhere', async () => {
    await expectTrusted(setup(API), `${API}/me`, { baseURL: 'https://cdn.example.net' });
  });

  // axios 1.8+ joins the absolute URL to the baseURL then: the request goes to the base's origin.
  it('sends no token to an untrusted per-request baseURL with allowAbsoluteUrls: false', async () => {
    await expectUntrusted(setup(API), `${API}/me`, {
      allowAbsoluteUrls: false,
      baseURL: 'https://evil.example',
    });
  });

  it('follows a baseURL changed after attaching', async () => {
    const moved = () => {
      const setupResult = setup(API);
      setupResult.instance.defaults.baseURL = 'https://new-api.example.com';
      return setupResult;
    };
    await expectUntrusted(moved(), `${API}/me`);
    await expectTrusted(moved(), 'https://new-api.example.com/me');
  });

  it('never trusts http://127.0.0.1 from an https://127.0.0.1 baseURL, nor the reverse', async () => {
    await expectUntrusted(setup('https://127.0.0.1:9'), 'http://127.0.0.1:9/me');
    await expectUntrusted(setup('http://127.0.0.1:9'), 'https://127.0.0.1:9/me');
  });
});

// Node has no page: axios can send a plain path only to a configured socketPath.
describe('an instance without baseURL outside a browser', () => {
  it('sends the token to a plain path', async () => {
    await expectTrusted(setup(null), '/me');
  });

  it.each([
    ['a protocol-relative URL', '//evil.example/me'],
    ['a path starting with a backslash', '/\\evil.example/me'],
    ['an absolute URL', 'https://evil.example/me'],
  ])('sends no token to %s', async (_what, url) => {
    await expectUntrusted(setup(null), url);
  });
});

describe('trustedOrigins', () => {
  const AUTH = 'https://auth.example.com';

  it.each([
    ['the listed origin', `${AUTH}/userinfo`],
    ['the listed origin in upper case', 'https://AUTH.EXAMPLE.COM/userinfo'],
    ['the listed origin with its default port', 'https://auth.example.com:443/userinfo'],
  ])('adds exact origins: sends the token to %s', async (_what, url) => {
    await expectTrusted(setup(API, { trustedOrigins: [AUTH] }), url);
  });

  it.each([
    ['its http twin', 'http://auth.example.com/userinfo'],
    ['another port', 'https://auth.example.com:8443/userinfo'],
    ['a subdomain', 'https://eu.auth.example.com/userinfo'],
    ['a longer host', 'https://auth.example.com.evil.com/userinfo'],
    ['user info naming it', 'https://auth.example.com@evil.example/'],
  ])('matches exact origins only: no token to %s', async (_what, url) => {
    await expectUntrusted(setup(API, { trustedOrigins: [AUTH] }), url);
  });

  it('treats an http entry as http only: its https twin is not trusted by it', async () => {
    const setupResult = setup(API, { trustedOrigins: ['http://legacy.example.com'] });
    await expectUntrusted(setupResult, 'https://legacy.example.com/x');
  });

  it.each([
    ['an origin with a path', `${AUTH}/oauth`],
    ['an origin with user info', 'https://user@auth.example.com'],
    ['a host without scheme', 'auth.example.com'],
    ['a wildcard', '*'],
    ['a non-http scheme', 'ftp://auth.example.com'],
    ['a number', 42],
  ])('rejects %s in trustedOrigins with a TypeError', (_what, entry) => {
    const { instance } = mockedInstance(API);
    const session = createAuthSession({ refresh: jest.fn() });
    expect(() =>
      attachBearerAuth(instance, session, { trustedOrigins: [entry as string] }),
    ).toThrow(TypeError);
  });

  describe('as a predicate on the URL', () => {
    const subdomainsOverHttps = (url: URL) =>
      url.protocol === 'https:' && url.hostname.endsWith('.example.org');

    it('sends the token where the predicate returns true', async () => {
      await expectTrusted(
        setup(API, { trustedOrigins: [subdomainsOverHttps] }),
        'https://files.example.org/x',
      );
    });

    it.each([
      ['a host the predicate refuses', 'https://example.org.evil.com/x'],
      ['the http twin the predicate refuses', 'http://files.example.org/x'],
    ])('sends no token to %s', async (_what, url) => {
      await expectUntrusted(setup(API, { trustedOrigins: [subdomainsOverHttps] }), url);
    });

    it('hands the predicate a parsed URL', async () => {
      const seen: unknown[] = [];
      const setupResult = setup(API, {
        trustedOrigins: [(url) => (seen.push(url), false)],
      });
      await expectUntrusted(setupResult, 'https://files.example.org:8443/x?y=1');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(URL);
      expect((seen[0] as URL).host).toBe('files.example.org:8443');
    });

    it('fails closed: a predicate that throws or returns a truthy non-boolean trusts nothing', async () => {
      await expectUntrusted(
        setup(API, {
          trustedOrigins: [
            () => {
              throw new Error('predicate bug');
            },
          ],
        }),
        'https://files.example.org/x',
      );
      await expectUntrusted(
        setup(API, { trustedOrigins: [() => 'yes' as unknown as boolean] }),
        'https://files.example.org/x',
      );
    });
  });
});

describe('in a browser page', () => {
  const page = { origin: 'https://app.example.com', href: 'https://app.example.com/inbox' };
  beforeEach(() => {
    (globalThis as { location?: unknown }).location = page;
  });
  afterEach(() => {
    delete (globalThis as { location?: unknown }).location;
  });

  it.each([
    ['a relative path', '/api/me'],
    ['an absolute URL on the page origin', 'https://app.example.com/api/me'],
  ])('an instance without baseURL sends the token to %s', async (_what, url) => {
    await expectTrusted(setup(null), url);
  });

  it.each([
    ['the http twin of the page', 'http://app.example.com/api/me'],
    ['another host', 'https://evil.example/api/me'],
    ['a protocol-relative URL to another host', '//evil.example/api/me'],
  ])('an instance without baseURL sends no token to %s', async (_what, url) => {
    await expectUntrusted(setup(null), url);
  });

  // Joined to a relative baseURL, these become '//evil.example/...' to the URL parser, which
  // reads a backslash as a slash and drops tabs and line breaks: another host.
  it.each([
    ['a backslash', '\\evil.example/api/me'],
    ['a slash and a backslash', '/\\evil.example/api/me'],
    ['a tab before the second slash', '\t/evil.example/api/me'],
    ['a line break before the second slash', '\n/evil.example/api/me'],
  ])('an instance with a relative baseURL sends no token to %s', async (_what, url) => {
    await expectUntrusted(setup('/'), url);
  });

  describe('with a <base> element naming another origin', () => {
    beforeEach(() => {
      (globalThis as { document?: unknown }).document = { baseURI: 'https://cdn.example.net/app/' };
    });
    afterEach(() => {
      delete (globalThis as { document?: unknown }).document;
    });

    // The browser resolves relative URLs against document.baseURI, not the page's address.
    it.each([
      ['a path', '/api/me'],
      ['a relative path', 'api/me'],
    ])('sends no token to %s, which goes to that origin', async (_what, url) => {
      await expectUntrusted(setup(null), url);
    });

    it('still sends the token to an absolute URL on the page origin', async () => {
      await expectTrusted(setup(null), 'https://app.example.com/api/me');
    });

    // 'https:/host/api' (one slash) names host on its own, but a page whose base has the same
    // scheme resolves it as a path on the base's origin; axios 1.7 passes it on as it is.
    it('trusts nothing for a baseURL that the page resolves to another origin', async () => {
      await expectUntrusted(setup('https:/app.example.com/api'), '/me');
    });
  });

  it('sends no token when a <base> element naming another origin appears while the request waits', async () => {
    const { instance, mock } = mockedInstance(null);
    const refreshing = deferred<{ accessToken: string }>();
    attachBearerAuth(instance, {
      tokens: { accessToken: ACCESS_1, expiresAt: Date.now() - 1 },
      refresh: () => refreshing.promise,
    });
    const sent: Array<string | undefined> = [];
    mock.onGet('/api/me').reply((config) => {
      sent.push(tokenOf(config));
      return [200, {}];
    });

    const response = instance.get('/api/me');
    await flush();
    (globalThis as { document?: unknown }).document = { baseURI: 'https://cdn.example.net/' };
    try {
      refreshing.resolve({ accessToken: ACCESS_2 });
      await response;
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }

    expect(sent).toEqual([undefined]);
  });

  it('trusts no origin of a page on another scheme (an app shell)', async () => {
    (globalThis as { location?: unknown }).location = {
      origin: 'app-https://shell',
      href: 'app-https://shell/index.html',
    };
    await expectUntrusted(setup(null), 'app-https://shell/api/me');
  });

  it('trusts the origin of a page served over http', async () => {
    (globalThis as { location?: unknown }).location = {
      origin: 'http://intranet.example',
      href: 'http://intranet.example/app',
    };
    await expectTrusted(setup(null), 'http://intranet.example/api/me');
  });

  it.each([
    ['/', '/me'],
    ['/api', 'me'],
    ['/api/', '/me'],
  ])('an instance with baseURL %s sends the token to %s on the page origin', async (base, url) => {
    await expectTrusted(setup(base), url);
  });
});
