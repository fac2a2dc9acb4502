/**
 * What the page under test exposes as `window.abr`, shared by the page (page/app.ts) and the jest
 * tests that drive it. Everything crosses the page boundary as plain JSON.
 */

/** A token pair as the test's token server issues it. */
export interface PageTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt?: number;
}

export interface PageConfig {
  /** The untrusted origin (the second server), e.g. `http://127.0.0.1:40123`. */
  foreignOrigin: string;
  /** Start logged in with these tokens; without them the session loads from localStorage. */
  tokens?: PageTokens;
  /** Pass `crossTab: true` to the session. */
  crossTab?: boolean;
  /** Hide `navigator.locks`, as in a browser without the Web Locks API. */
  withoutWebLocks?: boolean;
}

/** An error as the caller of axios saw it. */
export interface ErrorSummary {
  name: string;
  code: string | undefined;
  message: string;
  /** `SessionEndedError.reason`, when there is one. */
  reason: string | undefined;
  /** Whether the error carries an HTTP response (a CORS-blocked answer does not). */
  hasResponse: boolean;
  status: number | undefined;
  isCancel: boolean;
}

/** How one request ended. */
export interface Outcome {
  path: string;
  status?: number;
  /** The token the API saw, from its echo. */
  token?: string;
  error?: ErrorSummary;
}

/** What the page's session has reported so far. */
export interface PageState {
  /** The `webStorageStore` of the package is used (not a stand-in). */
  storeFromPackage: boolean;
  refreshCalls: number;
  tokenRefreshedEvents: string[];
  sessionEndedEvents: string[];
  refreshFailedEvents: string[];
  tokens: PageTokens | null;
  /** `localStorage['axios-bearer-refresh']` as text. */
  stored: string | null;
  /** Messages this tab received on the session's BroadcastChannel name. */
  channelMessages: unknown[];
}

export interface PageApi {
  init(config: PageConfig): Promise<void>;
  state(): PageState;
  /** `count` requests to `/api/<prefix>/<i>` at once, alternating GET and POST (JSON). */
  burst(prefix: string, count: number): Promise<Outcome[]>;
  /** GET the untrusted origin's `/echo/<name>` through the API instance, by absolute URL. */
  foreignEcho(name: string): Promise<Outcome>;
  /** Requests, through an instance with baseURL '/', URLs that resolve to the foreign origin. */
  relativeBaseEchoes(): Promise<Outcome[]>;
  /** POST a JSON body and a FormData body (text field, binary file) with the given adapter. */
  replayBodies(prefix: string, adapter: 'xhr' | 'fetch'): Promise<Outcome[]>;
  /**
   * Sends `/api/abort/first` and `/api/abort/refused` (signal), waits until both were refused,
   * then sends `/api/abort/queued` (signal) and `/api/abort/queued-ok`, which wait for the refresh.
   */
  startAbortScenario(): Promise<void>;
  /** Aborts `refused` and `queued` and reports how they ended (before the refresh finishes). */
  abortAndSettle(): Promise<Outcome[]>;
  /** How `first` and `queued-ok` ended. */
  finishAbortScenario(): Promise<Outcome[]>;
  /**
   * GET `/api/<path>` on the second origin as an API that omits CORS headers on its 401:
   * `optIn` picks the instance attached with the documented `isRefusal` for that case.
   */
  corsApi(path: string, optIn: boolean): Promise<Outcome>;
  /** `session.setTokens(tokens)`, as after a login. */
  login(tokens: PageTokens): Promise<void>;
  /** `session.clear()`. */
  logout(): Promise<void>;
  /** Resolves once the session has ended (for example by another tab's logout). */
  whenEnded(): Promise<string>;
}

declare global {
  interface Window {
    abr: PageApi;
  }
}
