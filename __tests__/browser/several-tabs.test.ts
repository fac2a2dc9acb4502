/**
 * Several tabs of one origin in headless Chromium: pages of one browser context share
 * localStorage, and each runs a session with webStorageStore() and `crossTab: true`. The token
 * server's refresh tokens are single use: a second use is refused and revokes the session, so a
 * second refresh from any tab would log every tab out.
 */
import type { BrowserContext, Page } from 'playwright-core';
import {
  buildPageFromPackedPackage,
  launchBrowser,
  nonLocal,
  openApp,
  type LaunchedBrowser,
} from './harness.js';
import type { Outcome, PageState, PageTokens } from './page/api.js';
import { startBrowserServers, type BrowserServers } from './servers.js';

const TABS = 3;
const REQUESTS_PER_TAB = 50;

let servers: BrowserServers;
let launched: LaunchedBrowser;
let context: BrowserContext | undefined;
let pageErrors: string[] = [];

beforeAll(async () => {
  const bundle = await buildPageFromPackedPackage();
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

/**
 * Opens `TABS` tabs in a new context. The first logs in with `login` (or, with `stored`, finds
 * those tokens in localStorage); the others load what the first stored.
 */
async function openTabs(options: {
  login?: PageTokens;
  stored?: PageTokens;
  tabs?: number;
  withoutWebLocks?: boolean;
}): Promise<Page[]> {
  context = await launched.newContext();
  const base = {
    foreignOrigin: servers.foreignOrigin,
    crossTab: true,
    withoutWebLocks: options.withoutWebLocks === true,
  };
  const first = await openApp(
    context,
    servers.appOrigin,
    options.login ? { ...base, tokens: options.login } : base,
    pageErrors,
    options.stored,
  );
  const pages = [first];
  for (let i = 1; i < (options.tabs ?? TABS); i++) {
    pages.push(await openApp(context, servers.appOrigin, base, pageErrors));
  }
  servers.resetCounts();
  return pages;
}

function states(pages: Page[]): Promise<PageState[]> {
  return Promise.all(pages.map((page) => page.evaluate(() => window.abr.state())));
}

function burstInEveryTab(pages: Page[], prefix: string): Promise<Outcome[][]> {
  return Promise.all(
    pages.map((page, tab) =>
      page.evaluate(([name, count]) => window.abr.burst(name, count), [
        `${prefix}-${tab}`,
        REQUESTS_PER_TAB,
      ] as const),
    ),
  );
}

function expectOneRefreshAndNoLogout(tabs: PageState[], outcomes: Outcome[][]) {
  // A second refresh would spend the used refresh token: the server would revoke the session.
  expect({ refreshCalls: servers.refreshCalls(), reuses: servers.reuses() }).toEqual({
    refreshCalls: 1,
    reuses: 0,
  });
  const fresh = tabs[0]!.tokens!.accessToken;
  expect(servers.validAccessTokens()).toContain(fresh);
  for (const tab of tabs) {
    expect(tab.tokens!.accessToken).toBe(fresh);
    expect(tab.sessionEndedEvents).toEqual([]);
    expect(tab.refreshFailedEvents).toEqual([]);
    // Tabs tell each other that the tokens changed, never what they are.
    for (const message of tab.channelMessages) expect(['tokens', 'logout']).toContain(message);
  }
  expect(tabs.reduce((sum, tab) => sum + tab.refreshCalls, 0)).toBe(1);
  expect(JSON.parse(tabs[0]!.stored!)).toEqual(tabs[0]!.tokens);
  expect(outcomes.flat().map((outcome) => [outcome.status, outcome.token])).toEqual(
    Array.from({ length: TABS * REQUESTS_PER_TAB }, () => [200, fresh]),
  );
  return fresh;
}

describe(`${TABS} tabs sharing localStorage with crossTab: true`, () => {
  it('end the session in every tab on logout in one: the others reject requests with SessionEndedError and send nothing', async () => {
    const pages = await openTabs({ login: servers.login() });
    const [first, ...others] = pages as [Page, ...Page[]];

    await first.evaluate(() => window.abr.logout());
    const reasons = await Promise.all(
      others.map((page) => page.evaluate(() => window.abr.whenEnded())),
    );
    const outcomes = await burstInEveryTab(pages, 'after-logout');

    expect(reasons).toEqual(others.map(() => 'logout'));
    expect(outcomes.flat().map((outcome) => outcome.error)).toEqual(
      Array.from({ length: TABS * REQUESTS_PER_TAB }, () =>
        expect.objectContaining({
          name: 'SessionEndedError',
          code: 'ERR_SESSION_ENDED',
          reason: 'logout',
          hasResponse: false,
        }),
      ),
    );
    expect(servers.hits.filter((hit) => hit.path.startsWith('/api/'))).toEqual([]);
    expect(servers.refreshCalls()).toBe(0);
    const tabs = await states(pages);
    for (const tab of tabs) {
      expect(tab.tokens).toBeNull();
      expect(tab.stored).toBeNull();
      expect(tab.sessionEndedEvents).toEqual(['logout']);
    }
    for (const tab of tabs.slice(1)) expect(tab.channelMessages).toContain('logout');
  });
});

describe('crossTab: true in a browser without Web Locks', () => {
  it(`still refreshes once for ${REQUESTS_PER_TAB} requests of one tab refused after expiry`, async () => {
    const login = servers.login();
    const [page] = (await openTabs({ login, tabs: 1, withoutWebLocks: true })) as [Page];
    expect(await page.evaluate(() => (navigator as { locks?: unknown }).locks)).toBeUndefined();
    servers.expireAccessTokens();

    const outcomes = await page.evaluate(
      (count) => window.abr.burst('no-locks', count),
      REQUESTS_PER_TAB,
    );

    const state = await page.evaluate(() => window.abr.state());
    const fresh = state.tokens!.accessToken;
    expect(fresh).not.toBe(login.accessToken);
    expect(servers.refreshCalls()).toBe(1);
    expect(state.sessionEndedEvents).toEqual([]);
    expect(outcomes.map((outcome) => [outcome.status, outcome.token])).toEqual(
      Array.from({ length: REQUESTS_PER_TAB }, () => [200, fresh]),
    );
    expect(JSON.parse(state.stored!)).toEqual(state.tokens);
  });
});

describe(`${TABS} tabs sharing localStorage with crossTab: true, refreshing`, () => {
  it(`refresh once for ${TABS} × ${REQUESTS_PER_TAB} requests refused after expiry, with single-use refresh tokens, and no tab is logged out`, async () => {
    const login = servers.login();
    const pages = await openTabs({ login });
    for (const tab of await states(pages)) expect(tab.tokens).toEqual(login);
    servers.expireAccessTokens();

    const outcomes = await burstInEveryTab(pages, 'refused');

    const fresh = expectOneRefreshAndNoLogout(await states(pages), outcomes);
    const api = servers.hits.filter((hit) => hit.path.startsWith('/api/'));
    // Every request went out once with the old token and was replayed once with the new one.
    expect(api).toHaveLength(2 * TABS * REQUESTS_PER_TAB);
    expect(api.filter((hit) => hit.token === login.accessToken && hit.status === 401)).toHaveLength(
      TABS * REQUESTS_PER_TAB,
    );
    expect(api.filter((hit) => hit.token === fresh && hit.status === 200)).toHaveLength(
      TABS * REQUESTS_PER_TAB,
    );
  });

  it(`refresh once for ${TABS} × ${REQUESTS_PER_TAB} requests when the stored access token has expired`, async () => {
    const stored = { ...servers.login(), expiresAt: Date.now() - 60_000 };
    const pages = await openTabs({ stored });
    for (const tab of await states(pages)) expect(tab.tokens).toEqual(stored);

    const outcomes = await burstInEveryTab(pages, 'expired');

    const tabs = await states(pages);
    const fresh = expectOneRefreshAndNoLogout(tabs, outcomes);
    expect(tabs.flatMap((tab) => tab.tokenRefreshedEvents)).toEqual(['expiry']);
    // Refreshed before sending: the expired token never went out.
    const api = servers.hits.filter((hit) => hit.path.startsWith('/api/'));
    expect(api.map((hit) => [hit.token, hit.status])).toEqual(
      Array.from({ length: TABS * REQUESTS_PER_TAB }, () => [fresh, 200]),
    );
  });

  it('share a login in one tab with the others, which then send the new token', async () => {
    const pages = await openTabs({ login: servers.login() });
    const [first, ...others] = pages as [Page, ...Page[]];
    await first.evaluate(() => window.abr.logout());
    await Promise.all(others.map((page) => page.evaluate(() => window.abr.whenEnded())));

    const again = servers.login();
    await first.evaluate((tokens) => window.abr.login(tokens), again);
    // The other tabs hear of it on the BroadcastChannel and re-read the store.
    await Promise.all(
      others.map((page) =>
        page.waitForFunction(
          (token) => window.abr.state().tokens?.accessToken === token,
          again.accessToken,
          // Background tabs get no animation frames: poll on a timer.
          { polling: 50 },
        ),
      ),
    );
    const outcomes = await burstInEveryTab(pages, 'after-login');

    expect(outcomes.flat().map((outcome) => [outcome.status, outcome.token])).toEqual(
      Array.from({ length: TABS * REQUESTS_PER_TAB }, () => [200, again.accessToken]),
    );
    expect(servers.refreshCalls()).toBe(0);
  });
});
