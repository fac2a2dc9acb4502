/**
 * The page under test. It is bundled by esbuild from the packed package (see ../harness.ts), so
 * 'axios-bearer-refresh' here is what npm users install, and exposes `window.abr` to the tests.
 */
import axios, { isCancel, type AxiosInstance } from 'axios';
import {
  attachBearerAuth,
  createAuthSession,
  isSessionEndedError,
  webStorageStore,
  type AuthSession,
  type RefreshFunction,
} from 'axios-bearer-refresh';
import type { ErrorSummary, Outcome, PageApi, PageConfig, PageState, PageTokens } from './api.js';

const STORAGE_KEY = 'axios-bearer-refresh';

interface Echo {
  token: string;
}

const state: PageState = {
  storeFromPackage: typeof webStorageStore === 'function',
  refreshCalls: 0,
  tokenRefreshedEvents: [],
  sessionEndedEvents: [],
  refreshFailedEvents: [],
  tokens: null,
  stored: null,
  channelMessages: [],
};

// Listens beside the session, to check what crosses between tabs.
new BroadcastChannel(STORAGE_KEY).addEventListener('message', (event) => {
  state.channelMessages.push(event.data);
});

// Not attached to anything: the token endpoint gets no bearer token.
const tokenClient = axios.create({ baseURL: location.origin });

const refresh: RefreshFunction = async (current, { signal }) => {
  state.refreshCalls++;
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: current?.refreshToken ?? '',
  });
  const { data } = await tokenClient.post<{
    access_token: string;
    refresh_token: string;
    expires_in: number;
  }>('/token', body, { signal });
  return {
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    expiresIn: data.expires_in,
  };
};

let session: AuthSession;
let api: AxiosInstance;
let corsDefault: AxiosInstance;
let corsOptIn: AxiosInstance;
let ended: Promise<string>;
let foreignOrigin = '';
/** Paths whose first attempt came back refused (seen before the library's interceptor). */
const refusedPaths = new Map<string, () => void>();

function summarize(error: unknown): ErrorSummary {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    response?: { status: number };
  };
  return {
    name: String(e.name),
    code: e.code,
    message: String(e.message),
    reason: isSessionEndedError(error) ? error.reason : undefined,
    hasResponse: e.response !== undefined,
    status: e.response?.status,
    isCancel: isCancel(error),
  };
}

async function outcome(path: string, request: Promise<{ status: number; data: unknown }>) {
  try {
    const response = await request;
    return { path, status: response.status, token: (response.data as Echo).token } as Outcome;
  } catch (error) {
    return { path, error: summarize(error) } as Outcome;
  }
}

function init(config: PageConfig): Promise<void> {
  let sessionEnded!: (reason: string) => void;
  ended = new Promise((resolve) => (sessionEnded = resolve));
  if (config.withoutWebLocks) {
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
  }
  session = createAuthSession({
    refresh,
    tokens: config.tokens,
    store: webStorageStore(),
    crossTab: config.crossTab,
    onTokenRefreshed: ({ trigger }) => void state.tokenRefreshedEvents.push(trigger),
    onSessionEnded: ({ reason }) => {
      state.sessionEndedEvents.push(reason);
      sessionEnded(reason);
    },
    onRefreshFailed: ({ error }) => void state.refreshFailedEvents.push(error.code),
  });

  api = axios.create({ baseURL: `${location.origin}/api` });
  // Registered before the library's, so it sees each refusal first; it changes nothing.
  api.interceptors.response.use(undefined, (error: unknown) => {
    const url = (error as { config?: { url?: string } }).config?.url;
    if (url) refusedPaths.get(url)?.();
    throw error;
  });
  attachBearerAuth(api, session);

  // An API on another origin whose 401 carries no CORS headers.
  foreignOrigin = config.foreignOrigin;
  const API_ORIGIN = config.foreignOrigin;
  corsDefault = axios.create({ baseURL: `${API_ORIGIN}/api` });
  attachBearerAuth(corsDefault, session);

  // The documented opt-in, as the README shows it:
  corsOptIn = axios.create({ baseURL: `${API_ORIGIN}/api` });
  attachBearerAuth(corsOptIn, session, {
    // A 401 without CORS headers reaches axios as a network error with no response. Treat that as
    // a refusal only for requests to the API you know answers this way.
    isRefusal: (error) =>
      error.response?.status === 401 ||
      (!error.response &&
        error.code === 'ERR_NETWORK' &&
        new URL(corsOptIn.getUri(error.config), location.href).origin === API_ORIGIN),
  });

  return session.ready;
}

function burst(prefix: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const path = `/${prefix}/${i}`;
      return outcome(path, i % 2 === 0 ? api.get(path) : api.post(path, { index: i }));
    }),
  );
}

function replayBodies(prefix: string, adapter: 'xhr' | 'fetch') {
  const json = { text: 'Grüße, 世界 \u2028 "quoted"', numbers: [1, 2.5, -0], nested: { ok: true } };
  const form = new FormData();
  form.append('field', 'value with ünïcode');
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'bytes.bin');
  return Promise.all([
    outcome(`/${prefix}/json`, api.post(`/${prefix}/json`, json, { adapter })),
    outcome(`/${prefix}/form`, api.post(`/${prefix}/form`, form, { adapter })),
  ]);
}

interface AbortScenario {
  first: Promise<Outcome>;
  refused: Promise<Outcome>;
  queued: Promise<Outcome>;
  queuedOk: Promise<Outcome>;
  refusedController: AbortController;
  queuedController: AbortController;
}
let abortScenario: AbortScenario | undefined;

async function startAbortScenario() {
  const seen = (path: string) =>
    new Promise<void>((resolve) => refusedPaths.set(path, () => resolve()));
  const bothRefused = Promise.all([seen('/abort/first'), seen('/abort/refused')]);
  const refusedController = new AbortController();
  const queuedController = new AbortController();
  const first = outcome('/abort/first', api.get('/abort/first'));
  const refused = outcome(
    '/abort/refused',
    api.get('/abort/refused', { signal: refusedController.signal }),
  );
  await bothRefused;
  const queued = outcome(
    '/abort/queued',
    api.get('/abort/queued', { signal: queuedController.signal }),
  );
  const queuedOk = outcome('/abort/queued-ok', api.get('/abort/queued-ok'));
  abortScenario = { first, refused, queued, queuedOk, refusedController, queuedController };
}

const pageApi: PageApi = {
  init,
  state: () => ({
    ...state,
    tokens: session?.getTokens() as PageTokens | null,
    stored: localStorage.getItem(STORAGE_KEY),
  }),
  burst,
  foreignEcho: (name) => {
    const path = `${foreignOrigin}/echo/${name}`;
    return outcome(path, api.get(path));
  },
  relativeBaseEchoes: () => {
    // URLs that, joined to baseURL '/', the URL parser reads as the foreign host.
    const host = new URL(foreignOrigin).host;
    const relative = axios.create({ baseURL: '/' });
    attachBearerAuth(relative, session);
    const urls = [
      `\\\\${host}/echo/backslashes`,
      `/\\\\${host}/echo/slash-backslashes`,
      `\t/${host}/echo/tab`,
    ];
    return Promise.all(urls.map((url) => outcome(url, relative.get(url))));
  },
  replayBodies,
  startAbortScenario,
  abortAndSettle() {
    const scenario = abortScenario!;
    scenario.refusedController.abort();
    scenario.queuedController.abort();
    return Promise.all([scenario.refused, scenario.queued]);
  },
  finishAbortScenario() {
    const scenario = abortScenario!;
    return Promise.all([scenario.first, scenario.queuedOk]);
  },
  corsApi: (path, optIn) => outcome(path, (optIn ? corsOptIn : corsDefault).get(path)),
  login: (tokens) => session.setTokens(tokens),
  logout: () => session.clear(),
  whenEnded: () => ended,
};

window.abr = pageApi;
