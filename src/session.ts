import pMemoize from 'p-memoize';
import { isSessionEndedError, RefreshTimeoutError, SessionEndedError } from './errors.js';
import { classifyFailure } from './failures.js';
import { checkOptions } from './options.js';
import {
  createCrossTabCoordinator,
  localCoordinator,
  type CrossTabMessage,
} from './browser/cross-tab.js';
import { emit } from './events.js';
import { safeCause } from './redact.js';
import { createReentryGuard } from './reentry.js';
import { memoryStore } from './stores/memory.js';
import {
  fingerprint,
  refreshDeadline,
  tokensFromRefresh,
  tokensFromStore,
  tokensFromUser,
} from './tokens.js';
import type {
  AuthSession,
  AuthSessionOptions,
  RefreshContext,
  RefreshTrigger,
  TokenSet,
  TokenStore,
} from './types.js';

const DEFAULT_REFRESH_TIMEOUT = 30_000;
const DEFAULT_REFRESH_LEEWAY = 30_000;

/** What the interceptors need from a session; not part of the public API. */
export interface SessionCore {
  /** True when a request can carry the current token without waiting (the fast path). */
  canSendNow(): boolean;
  /** The access token held now, if any. */
  accessToken(): string | undefined;
  /** The token a request should carry, after any refresh it must wait for. */
  tokenForRequest(): Promise<string>;
  /**
   * Settles once the token to replay with after `refused` was refused is current (read it with
   * `currentToken()`): refreshes only if `refused` is still current. `sentEpoch` is `epoch()`
   * when the request was sent, if known. Thousands of requests may wait on this, so it hands
   * back the shared refresh rather than one more promise each.
   */
  afterRefusal(refused: string, sentEpoch?: number): Promise<unknown>;
  /** The access token held now; throws the session's ending error if there is none. */
  currentToken(): string;
  /** How many refreshes have settled so far. */
  epoch(): number;
  /** True while the user's refresh function runs synchronously (see reentry.ts). */
  isCallingRefresh(): boolean;
  /** Options the interceptors report through. */
  readonly options: AuthSessionOptions;
}

const cores = new WeakMap<object, SessionCore>();

/** The core of a session made by `createAuthSession`, or `undefined`. */
export function coreOf(session: unknown): SessionCore | undefined {
  return typeof session === 'object' && session !== null ? cores.get(session) : undefined;
}

function crossTabName(option: true | { name?: string | undefined }): string {
  return (option === true ? undefined : option.name) ?? 'axios-bearer-refresh';
}

function secretsOf(tokens: TokenSet | null | undefined): string[] {
  return tokens ? [tokens.accessToken, tokens.refreshToken ?? ''] : [];
}

/** `promise`, or a rejection naming `what` once `ms` have passed (the timer is cleared either way). */
function settleWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Creates the session that owns the tokens and the only way to refresh them. Attach it to one or
 * more axios instances with `attachBearerAuth`.
 */
export function createAuthSession(options: AuthSessionOptions): AuthSession {
  checkOptions(options);
  const refreshTimeout = options.refreshTimeout ?? DEFAULT_REFRESH_TIMEOUT;
  const refreshLeeway = options.refreshLeeway ?? DEFAULT_REFRESH_LEEWAY;
  const store: TokenStore = options.store ?? memoryStore();
  const reentry = createReentryGuard();
  const coordinator = options.crossTab
    ? createCrossTabCoordinator(crossTabName(options.crossTab), (message) => void hear(message))
    : localCoordinator;

  /** Another tab changed the tokens or logged out. */
  async function hear(message: CrossTabMessage) {
    if (message === 'logout') return void end(new SessionEndedError('logout'), false);
    const startGeneration = generation;
    const latest = await newerHandOff(undefined);
    const next = latest ? latest.tokens : coordinator.consistent ? undefined : await readStore();
    if (next && generation === startGeneration && next.accessToken !== tokens?.accessToken) {
      adopt(next, Date.now());
    }
  }

  /**
   * The tokens another tab left in the hand-off record since this tab last changed its own (or
   * that replaced `from`); `undefined` when there is nothing newer. `tokens: null` is a logout.
   */
  async function newerHandOff(from: string | undefined) {
    const handOff = await coordinator.latest();
    if (!handOff || typeof handOff.at !== 'number') return undefined;
    const replacedOurs = from !== undefined && handOff.replaced === fingerprint(from);
    if (handOff.at <= adoptedAt && !replacedOurs) return undefined;
    return { tokens: handOff.tokens === null ? null : tokensFromStore(handOff.tokens) };
  }

  /** Leaves the tokens (or a logout) for the other tabs, then tells them. */
  async function handOver(next: TokenSet | null, replaced?: string) {
    if (!coordinator.shared) return;
    await coordinator.record({
      tokens: next,
      at: Date.now(),
      replaced: replaced === undefined ? undefined : fingerprint(replaced),
    });
    coordinator.publish(next ? 'tokens' : 'logout');
  }

  let tokens: TokenSet | null = null;
  /** When the held token should be refreshed before sending (epoch ms). */
  let refreshAt = Infinity;
  /** What requests reject with while there are no tokens. */
  let endedError = new SessionEndedError('no-tokens');
  /** Bumped on every change of tokens, so a refresh can tell it was overtaken. */
  let generation = 0;
  /** The refresh in flight, if any. */
  let inFlight: Promise<TokenSet> | null = null;
  let loaded = false;
  /** When this tab last changed its tokens (epoch ms), to tell newer hand-offs from older ones. */
  let adoptedAt = 0;
  /** How many refreshes have settled. */
  let epoch = 0;
  /**
   * The last refresh that failed but kept the tokens, and the epoch it settled at: requests sent
   * with that token before then whose refusal arrives late share its error instead of starting
   * a refresh each (a token endpoint that fails fast would otherwise be hit once per request).
   */
  let lastFailure: { from: string; error: Error; epoch: number } | null = null;

  function secrets(): string[] {
    return secretsOf(tokens);
  }

  function reportStoreError(
    operation: 'get' | 'set' | 'clear',
    error: unknown,
    known: string[] = secrets(),
  ) {
    emit(options.onStoreError, { operation, error: safeCause(error, known) });
  }

  /** The stored tokens; `undefined` when the store failed (reported), `null` when it is empty. */
  async function readStore(): Promise<TokenSet | null | undefined> {
    try {
      return tokensFromStore(await store.get());
    } catch (error) {
      reportStoreError('get', error);
      return undefined;
    }
  }

  // Store writes run one after another, so an async store never ends with an older value.
  let storeQueue: Promise<void> = Promise.resolve();
  let pendingWrites = 0;
  function persist(operation: 'set' | 'clear', value?: TokenSet): Promise<void> {
    // Scrub with the tokens being written or cleared as well as those held now.
    const secretsOfWrite = [...secrets(), ...secretsOf(value)];
    const fail = (error: unknown) => reportStoreError(operation, error, secretsOfWrite);
    const write = (): void | Promise<void> => {
      try {
        const result = operation === 'set' ? store.set({ ...value! }) : store.clear();
        if (isThenable(result)) {
          // A write that never settles must not hold up the ones after it.
          const label = `store.${operation}()`;
          return settleWithin(Promise.resolve(result), refreshTimeout, label).then(() => {}, fail);
        }
      } catch (error) {
        fail(error);
      }
    };
    pendingWrites++;
    const done = () => {
      pendingWrites--;
    };
    if (pendingWrites === 1) {
      // Nothing queued: write now, so a synchronous store (web storage) is up to date at once.
      const result = write();
      storeQueue = result ? result.then(done) : Promise.resolve(done());
    } else {
      storeQueue = storeQueue.then(write).then(done);
    }
    return storeQueue;
  }

  function adopt(next: TokenSet | null, issuedAt?: number) {
    tokens = next;
    refreshAt = next ? refreshDeadline(next, refreshLeeway, issuedAt) : Infinity;
    generation++;
    adoptedAt = Date.now();
    lastFailure = null;
  }

  /** Forgets the tokens; `own` is false when another tab ended the session and cleared the store. */
  function end(error: SessionEndedError, own = true): Promise<void> {
    const hadTokens = tokens !== null;
    adopt(null);
    endedError = error;
    const cleared = own ? persist('clear').then(() => handOver(null)) : Promise.resolve();
    if (hadTokens) emit(options.onSessionEnded, { reason: error.reason, error });
    return cleared;
  }

  function currentTokens(): TokenSet {
    if (tokens) return tokens;
    throw endedError;
  }

  function currentToken(): string {
    return currentTokens().accessToken;
  }

  const ready: Promise<void> = (() => {
    const finish = () => {
      loaded = true;
    };
    if (options.tokens) {
      adopt(tokensFromUser(options.tokens, 'createAuthSession: tokens', Date.now()));
      finish();
      void persist('set', tokens!);
      return Promise.resolve();
    }
    const startGeneration = generation;
    const adoptStored = (value: unknown) => {
      // A login (setTokens) that happened while the store was being read wins.
      if (generation === startGeneration && !loaded) {
        const stored = tokensFromStore(value);
        if (stored) adopt(stored);
      }
    };
    let stored: unknown;
    try {
      stored = store.get();
    } catch (error) {
      reportStoreError('get', error);
      finish();
      return Promise.resolve();
    }
    if (!isThenable(stored)) {
      adoptStored(stored);
      finish();
      return Promise.resolve();
    }
    return settleWithin(Promise.resolve(stored), refreshTimeout, 'store.get()')
      .then(adoptStored)
      .catch((error: unknown) => reportStoreError('get', error))
      .finally(finish);
  })();

  /** Calls the user's refresh function; a synchronous throw becomes a rejection. */
  function callRefresh(current: TokenSet | null, context: RefreshContext): Promise<unknown> {
    try {
      return Promise.resolve(options.refresh(current, context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Gets new tokens (or, across tabs, adopts those another tab just stored) and applies them. */
  async function obtain(
    from: string,
    trigger: RefreshTrigger,
    signal: AbortSignal,
    startGeneration: number,
  ): Promise<TokenSet> {
    const overtaken = () => generation !== startGeneration || signal.aborted;
    if (coordinator.shared) {
      // Another tab may have refreshed (or logged out) while this one waited for the lock.
      const handOff = await newerHandOff(from);
      const stored = handOff
        ? handOff.tokens
        : coordinator.consistent
          ? undefined
          : await readStore();
      if (overtaken()) return currentTokens();
      if (stored === null && from !== '') {
        void end(new SessionEndedError('logout'), false);
        return currentTokens();
      }
      if (stored && stored.accessToken !== from) {
        adopt(stored, Date.now());
        return stored;
      }
    }
    const startedAt = Date.now();
    const previous = tokens && { ...tokens };
    const result = await reentry.run(() => callRefresh(previous, { signal, trigger }));
    if (overtaken()) return currentTokens();
    const next = tokensFromRefresh(result, previous, startedAt);
    adopt(next, startedAt);
    emit(options.onTokenRefreshed, {
      fingerprint: fingerprint(next.accessToken),
      expiresAt: next.expiresAt,
      trigger,
    });
    // Across tabs, the hand-off must be visible before the lock passes to the next tab.
    const stored = persist('set', next);
    if (coordinator.shared) await Promise.all([stored, handOver(next, from)]);
    return next;
  }

  async function performRefresh(from: string, trigger: RefreshTrigger): Promise<TokenSet> {
    // A refresh overtaken by setTokens() or clear() may still be running; wait for it so that at
    // most one refresh is ever in flight. The await also yields always, so that `inFlight` names
    // this refresh before the user's refresh function runs and any request it sends is seen as
    // its own.
    await inFlight?.catch(() => undefined);
    // Meanwhile another refresh, a login or a logout may have changed the tokens: refresh only
    // from the tokens held now, and from none only where that is allowed.
    if ((tokens?.accessToken ?? '') !== from || (!tokens && !options.refreshWhenEmpty)) {
      return currentTokens();
    }

    const startGeneration = generation;
    const secretsAtStart = secrets();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await new Promise<TokenSet>((resolve, reject) => {
        timer = setTimeout(() => {
          const timeout = new RefreshTimeoutError(refreshTimeout);
          controller.abort(timeout);
          reject(timeout);
        }, refreshTimeout);
        coordinator
          .exclusive(controller.signal, () =>
            obtain(from, trigger, controller.signal, startGeneration),
          )
          .then(resolve, reject);
      });
    } catch (error) {
      if (generation !== startGeneration) return currentTokens();
      const failure = classifyFailure(error, secretsAtStart);
      const ends = isSessionEndedError(failure);
      if (ends) void end(failure);
      else lastFailure = { from, error: failure, epoch: epoch + 1 };
      emit(options.onRefreshFailed, { error: failure, sessionEnded: ends });
      throw failure;
    } finally {
      epoch++;
      clearTimeout(timer);
    }
  }

  // Single flight: every caller that asks for a refresh from the same token while one is running
  // gets the same promise. cache: false keeps nothing once it settles.
  const refreshOnce = pMemoize(performRefresh, { cacheKey: ([from]) => from, cache: false });

  function startRefresh(from: string, trigger: RefreshTrigger): Promise<TokenSet> {
    const flight = refreshOnce(from, trigger);
    if (flight !== inFlight) {
      inFlight = flight;
      // Registered first, so it runs before any waiter resumes.
      const settle = () => {
        if (inFlight === flight) inFlight = null;
      };
      flight.then(settle, settle);
    }
    return flight;
  }

  async function tokenForRequest(): Promise<string> {
    if (!loaded) await ready;
    if (inFlight) {
      await inFlight;
    } else if (!tokens) {
      if (!options.refreshWhenEmpty) throw endedError;
      await startRefresh('', 'empty');
    } else if (Date.now() >= refreshAt) {
      await startRefresh(tokens.accessToken, 'expiry');
    }
    return currentToken();
  }

  // Not async, and without per-call closures: every refused request of a storm calls this and
  // waits on what it returns (see response.ts).
  function afterRefusal(refused: string, sentEpoch?: number): Promise<unknown> {
    if (!loaded) return ready.then(() => afterRefusal(refused, sentEpoch));
    if (
      lastFailure?.from === refused &&
      sentEpoch !== undefined &&
      sentEpoch < lastFailure.epoch &&
      !inFlight
    ) {
      // Sent before the refresh for its token failed: that failure is its answer too.
      return Promise.reject(lastFailure.error);
    }
    let wait: Promise<unknown> | null = null;
    if (tokens?.accessToken === refused) {
      // The current token was refused: start its refresh, or join the one in flight (p-memoize
      // hands every caller with the same key the same promise).
      wait = startRefresh(refused, 'refusal');
    } else if (inFlight) {
      // An older token was refused while a refresh is under way: its result will do.
      wait = inFlight;
    } else if (!tokens && options.refreshWhenEmpty) {
      wait = startRefresh('', 'refusal');
    }
    return wait ?? Promise.resolve();
  }

  const session: AuthSession = {
    ready,
    getTokens: () => (tokens ? { ...tokens } : null),
    setTokens(given) {
      const next = tokensFromUser(given, 'session.setTokens', Date.now());
      adopt(next, Date.now());
      loaded = true; // a login makes whatever the store still has to say irrelevant
      endedError = new SessionEndedError('no-tokens');
      return Promise.all([persist('set', next), handOver(next)]).then(() => undefined);
    },
    clear: () => end(new SessionEndedError('logout')),
    async refresh() {
      if (!loaded) await ready;
      if (!tokens && !options.refreshWhenEmpty && !inFlight) throw endedError;
      return startRefresh(tokens?.accessToken ?? '', 'manual').then((next) => ({ ...next }));
    },
  };

  cores.set(session, {
    options,
    canSendNow: () => loaded && !inFlight && tokens !== null && Date.now() < refreshAt,
    accessToken: () => tokens?.accessToken,
    tokenForRequest,
    afterRefusal,
    currentToken,
    isCallingRefresh: reentry.isInside,
    epoch: () => epoch,
  });
  return session;
}
