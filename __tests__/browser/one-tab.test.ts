/**
 * The library in headless Chromium, bundled from the packed package, against a real API, token
 * endpoint and second origin on 127.0.0.1.
 */
import type { BrowserContext, Page } from 'playwright-core';
import {
  buildPageFromPackedPackage,
  launchBrowser,
  nonLocal,
  openApp,
  type LaunchedBrowser,
  type PageBundle,
} from './harness.js';
import type { PageConfig } from './page/api.js';
import { startBrowserServers, withoutBoundary, type BrowserServers } from './servers.js';

let bundle: PageBundle;
let servers: BrowserServers;
let launched: LaunchedBrowser;
let context: BrowserContext | undefined;
let pageErrors: string[] = [];

beforeAll(async () => {
  bundle = await buildPageFromPackedPackage();
  servers = await startBrowserServers(bundle.script);
  launched = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await launched?.close();
  await servers?.close();
});

beforeEach(() => {
  pageErrors = [];
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(pageErrors).toEqual([]);
  expect(nonLocal(launched.requestedUrls)).toEqual([]);
});

/** A new context (empty localStorage) with the app open and logged in with fresh tokens. */
async function openLoggedIn(): Promise<{ page: Page; login: { accessToken: string } }> {
  context = await launched.newContext();
  const login = servers.login();
  const config: PageConfig = { foreignOrigin: servers.foreignOrigin, tokens: login };
  const page = await openApp(context, servers.appOrigin, config, pageErrors);
  servers.resetCounts();
  return { page, login };
}

function hitsTo(path: string, server: 'app' | 'foreign' = 'app') {
  return servers.hits.filter((hit) => hit.server === server && hit.path === path);
}

describe('the page under test', () => {
  it('is bundled from the packed tarball, with the webStorageStore it exports', async () => {
    expect(bundle.tarball).toMatch(/^axios-bearer-refresh-\d+\.\d+\.\d+.*\.tgz$/);
    expect(bundle.inputs).toContain('node_modules/axios-bearer-refresh/dist/esm/index.js');
    // Only the installed packages and the page itself: nothing from this repository's src/.
    expect(
      bundle.inputs.filter(
        (input) =>
          !input.startsWith('node_modules/axios/') &&
          !input.startsWith('node_modules/axios-bearer-refresh/dist/') &&
          !input.startsWith('page/'),
      ),
    ).toEqual([]);
    const { page } = await openLoggedIn();
    expect(await page.evaluate(() => window.abr.state().storeFromPackage)).toBe(true);
  });
});

describe('in a browser', () => {
  it('refreshes once for a storm of 100 requests refused after expiry, and every one succeeds with the new token', async () => {
    const { page, login } = await openLoggedIn();
    servers.expireAccessTokens();

    const outcomes = await page.evaluate(() => window.abr.burst('storm', 100));
    const state = await page.evaluate(() => window.abr.state());

    const fresh = state.tokens!.accessToken;
    expect(fresh).not.toBe(login.accessToken);
    expect(servers.validAccessTokens()).toEqual([fresh]);
    expect(servers.refreshCalls()).toBe(1);
    expect(state.refreshCalls).toBe(1);
    expect(state.tokenRefreshedEvents).toEqual(['refusal']);
    expect(state.sessionEndedEvents).toEqual([]);
    expect(outcomes.map((outcome) => [outcome.status, outcome.token])).toEqual(
      Array.from({ length: 100 }, () => [200, fresh]),
    );
    for (let i = 0; i < 100; i++) {
      expect(hitsTo(`/api/storm/${i}`).map((hit) => [hit.token, hit.status])).toEqual([
        [login.accessToken, 401],
        [fresh, 200],
      ]);
    }
  });

  it('sends no token to an origin it does not trust: with a fresh token, while a refresh is pending, and after it', async () => {
    const { page } = await openLoggedIn();
    const fresh = await page.evaluate(() => window.abr.foreignEcho('fresh'));

    servers.expireAccessTokens();
    const hold = servers.holdToken();
    const refused = page.evaluate(() => window.abr.burst('pending', 3));
    await hold.arrived;
    // Untrusted requests do not wait for the refresh: this one completes while it is held.
    const pending = await page.evaluate(() => window.abr.foreignEcho('pending'));
    hold.release();
    expect((await refused).map((outcome) => outcome.status)).toEqual([200, 200, 200]);
    const after = await page.evaluate(() => window.abr.foreignEcho('after'));

    for (const outcome of [fresh, pending, after]) {
      expect(outcome.status).toBe(200);
      expect(outcome.token).toBeUndefined();
    }
    const foreign = servers.hits.filter((hit) => hit.server === 'foreign');
    // No preflight either: a request without Authorization is a simple request.
    expect(foreign.map((hit) => `${hit.method} ${hit.path}`)).toEqual([
      'GET /echo/fresh',
      'GET /echo/pending',
      'GET /echo/after',
    ]);
    expect(foreign.filter((hit) => hit.headers.authorization !== undefined)).toEqual([]);
    expect(servers.refreshCalls()).toBe(1);
  });

  it('sends no token to another origin that a URL joined to a relative baseURL names', async () => {
    const { page } = await openLoggedIn();

    const outcomes = await page.evaluate(() => window.abr.relativeBaseEchoes());

    expect(outcomes.map((outcome) => [outcome.status, outcome.token])).toEqual([
      [200, undefined],
      [200, undefined],
      [200, undefined],
    ]);
    const foreign = servers.hits.filter((hit) => hit.server === 'foreign');
    expect(foreign.map((hit) => `${hit.method} ${hit.path}`).sort()).toEqual([
      'GET /echo/backslashes',
      'GET /echo/slash-backslashes',
      'GET /echo/tab',
    ]);
    expect(foreign.filter((hit) => hit.headers.authorization !== undefined)).toEqual([]);
  });

  it.each(['xhr', 'fetch'] as const)(
    'replays a JSON POST and a FormData POST intact, byte for byte (%s adapter)',
    async (adapter) => {
      const { page, login } = await openLoggedIn();
      servers.expireAccessTokens();

      const outcomes = await page.evaluate(
        (name) => window.abr.replayBodies('bodies', name),
        adapter,
      );

      const fresh = (await page.evaluate(() => window.abr.state())).tokens!.accessToken;
      expect(outcomes.map((outcome) => [outcome.path, outcome.status, outcome.token])).toEqual([
        ['/bodies/json', 200, fresh],
        ['/bodies/form', 200, fresh],
      ]);
      expect(servers.refreshCalls()).toBe(1);

      const json = hitsTo('/api/bodies/json');
      expect(json.map((hit) => [hit.token, hit.status])).toEqual([
        [login.accessToken, 401],
        [fresh, 200],
      ]);
      expect(json[0]!.contentType).toMatch(/^application\/json/);
      expect(json[1]!.contentType).toBe(json[0]!.contentType);
      expect(json[1]!.body.equals(json[0]!.body)).toBe(true);
      expect(JSON.parse(json[0]!.body.toString('utf8'))).toEqual({
        text: 'Grüße, 世界 \u2028 "quoted"',
        numbers: [1, 2.5, 0],
        nested: { ok: true },
      });

      const form = hitsTo('/api/bodies/form');
      expect(form.map((hit) => [hit.token, hit.status])).toEqual([
        [login.accessToken, 401],
        [fresh, 200],
      ]);
      expect(form[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
      // The browser draws a new boundary each time it serialises the form; all else is equal.
      const [first, replay] = form.map((hit) => withoutBoundary(hit.contentType, hit.body));
      expect(replay).toEqual(first);
      expect(first!.body).toContain(Buffer.from('value with ünïcode').toString('latin1'));
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('latin1');
      expect(first!.body).toContain(`filename="bytes.bin"`);
      expect(first!.body).toContain(bytes);
    },
  );

  it('lets an aborted request leave the queue: it rejects with CanceledError, is not sent again, and the others succeed', async () => {
    const { page, login } = await openLoggedIn();
    servers.expireAccessTokens();
    const hold = servers.holdToken();

    await page.evaluate(() => window.abr.startAbortScenario());
    await hold.arrived;
    const aborted = await page.evaluate(() => window.abr.abortAndSettle());
    hold.release();
    const others = await page.evaluate(() => window.abr.finishAbortScenario());

    expect(aborted.map((outcome) => [outcome.path, outcome.error])).toEqual([
      [
        '/abort/refused',
        expect.objectContaining({ name: 'CanceledError', code: 'ERR_CANCELED', isCancel: true }),
      ],
      [
        '/abort/queued',
        expect.objectContaining({ name: 'CanceledError', code: 'ERR_CANCELED', isCancel: true }),
      ],
    ]);
    const fresh = (await page.evaluate(() => window.abr.state())).tokens!.accessToken;
    expect(others.map((outcome) => [outcome.path, outcome.status, outcome.token])).toEqual([
      ['/abort/first', 200, fresh],
      ['/abort/queued-ok', 200, fresh],
    ]);
    expect(servers.refreshCalls()).toBe(1);
    // The refused request was sent once and not replayed; the queued one was never sent.
    expect(hitsTo('/api/abort/refused').map((hit) => [hit.token, hit.status])).toEqual([
      [login.accessToken, 401],
    ]);
    expect(hitsTo('/api/abort/queued')).toEqual([]);
    expect(hitsTo('/api/abort/queued-ok').map((hit) => [hit.token, hit.status])).toEqual([
      [fresh, 200],
    ]);
  });

  it('keeps tokens in localStorage (webStorageStore): after a refresh and a reload the page uses the refreshed ones without refreshing again', async () => {
    const { page, login } = await openLoggedIn();
    const before = await page.evaluate(() => window.abr.burst('reload-before', 1));
    expect(before[0]).toMatchObject({ status: 200, token: login.accessToken });
    servers.expireAccessTokens();
    const refreshed = await page.evaluate(() => window.abr.burst('reload-refresh', 1));
    const state = await page.evaluate(() => window.abr.state());
    const fresh = state.tokens!;
    expect(refreshed[0]).toMatchObject({ status: 200, token: fresh.accessToken });
    expect(JSON.parse(state.stored!)).toEqual(fresh);

    await page.reload();
    await page.evaluate(
      (foreignOrigin) => window.abr.init({ foreignOrigin }),
      servers.foreignOrigin,
    );
    const reloaded = await page.evaluate(() => window.abr.state());
    const after = await page.evaluate(() => window.abr.burst('reload-after', 1));

    expect(reloaded.tokens).toEqual(fresh);
    expect(reloaded.refreshCalls).toBe(0);
    expect(after[0]).toMatchObject({ status: 200, token: fresh.accessToken });
    expect(servers.refreshCalls()).toBe(1);
  });
});

describe('a 401 that a cross-origin API sends without CORS headers', () => {
  it('reaches the caller as a network error with no response by default, and nothing is refreshed', async () => {
    const { page, login } = await openLoggedIn();
    servers.expireAccessTokens();

    const outcome = await page.evaluate(() => window.abr.corsApi('/hidden', false));

    expect(outcome.error).toEqual(
      expect.objectContaining({ name: 'AxiosError', code: 'ERR_NETWORK', hasResponse: false }),
    );
    expect(servers.refreshCalls()).toBe(0);
    // The server did answer 401 to the token it was sent; the browser hid it from the page.
    const sent = hitsTo('/api/hidden', 'foreign');
    expect(sent.map((hit) => [hit.method, hit.token, hit.status])).toEqual([
      ['OPTIONS', undefined, 204],
      ['GET', login.accessToken, 401],
    ]);
    const state = await page.evaluate(() => window.abr.state());
    expect(state.tokens!.accessToken).toBe(login.accessToken);
    expect(state.sessionEndedEvents).toEqual([]);
  });

  it('refreshes and replays with the documented isRefusal opt-in', async () => {
    const { page, login } = await openLoggedIn();
    servers.expireAccessTokens();

    const outcome = await page.evaluate(() => window.abr.corsApi('/hidden', true));

    const fresh = (await page.evaluate(() => window.abr.state())).tokens!.accessToken;
    expect(outcome).toEqual({ path: '/hidden', status: 200, token: fresh });
    expect(servers.refreshCalls()).toBe(1);
    const gets = hitsTo('/api/hidden', 'foreign').filter((hit) => hit.method === 'GET');
    expect(gets.map((hit) => [hit.token, hit.status])).toEqual([
      [login.accessToken, 401],
      [fresh, 200],
    ]);
  });
});
