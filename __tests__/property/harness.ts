/**
 * A scripted world for the model-based test: the real library attached to two axios instances
 * that share one session, in front of a fake server (a custom axios adapter) that answers only
 * when a schedule says so. A schedule is a plain list of commands, so fast-check can shrink it and
 * print it, and a failing one can be pasted into a regression test as it is.
 *
 * Time is jest's fake clock (setTimeout and Date only); everything else runs on real microtasks
 * and is flushed with a real setImmediate between commands.
 */
import axios, {
  AxiosError,
  AxiosHeaders,
  CanceledError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import fc from 'fast-check';
import {
  attachBearerAuth,
  createAuthSession,
  isBearerAuthError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  type AuthSession,
  type TokenSet,
} from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Commands

export type Instance = 'A' | 'B';
export type Body = 'json' | 'text' | 'form' | 'bytes';
export type AnswerKind = 'auto' | '401' | '500' | 'reset';
export type RefreshOutcome =
  'ok' | 'ok-expiring' | '500' | 'reset' | 'invalid_grant' | 'malformed' | 'hang';

export type Command =
  /** A caller sends a request through instance A or B. */
  | {
      do: 'start';
      on: Instance;
      method: 'GET' | 'POST';
      body: Body;
      skipAuth: boolean;
      abortable: boolean;
    }
  /** The API answers one pending request (pick modulo the pending ones, oldest first). */
  | { do: 'answer'; pick: number; as: AnswerKind }
  /** The API stops accepting the access token the session holds now. */
  | { do: 'expire' }
  /** The token endpoint answers the pending refresh, or never does ('hang': time runs out). */
  | { do: 'refresh'; outcome: RefreshOutcome }
  /** A caller aborts one of its unsettled requests (pick modulo the abortable ones). */
  | { do: 'abort'; pick: number }
  /** The clock moves on. */
  | { do: 'tick'; ms: number }
  /** The user logs in again: session.setTokens with a fresh token set. */
  | { do: 'login'; expiring: boolean }
  /** The user logs out: session.clear(). */
  | { do: 'logout' }
  /** The application calls session.refresh(). */
  | { do: 'manualRefresh' };

export const REFRESH_TIMEOUT = 5_000;
const LEEWAY = 30_000;
const EXPIRES_IN_S = 60;
const BASE_URL = 'http://127.0.0.1:9';

/** Command kinds left out, for exploring past a known failure: FUZZ_WITHOUT=logout,tick */
const without = new Set((process.env['FUZZ_WITHOUT'] ?? '').split(',').filter(Boolean));

const commandKinds: [Command['do'], number, fc.Arbitrary<Command>][] = [
  [
    'start',
    6,
    fc.record({
      do: fc.constant('start' as const),
      on: fc.constantFrom<Instance>('A', 'B'),
      method: fc.constantFrom('GET' as const, 'POST' as const),
      body: fc.constantFrom<Body>('json', 'text', 'form', 'bytes'),
      skipAuth: fc.constantFrom(false, false, false, true),
      abortable: fc.constantFrom(false, false, true),
    }),
  ],
  [
    'answer',
    7,
    fc.record({
      do: fc.constant('answer' as const),
      pick: fc.nat({ max: 7 }),
      as: fc.constantFrom<AnswerKind>('auto', 'auto', 'auto', 'auto', '401', '500', 'reset'),
    }),
  ],
  ['expire', 3, fc.constant({ do: 'expire' as const })],
  [
    'refresh',
    5,
    fc.record({
      do: fc.constant('refresh' as const),
      outcome: fc.constantFrom<RefreshOutcome>(
        'ok',
        'ok',
        'ok-expiring',
        'ok-expiring',
        '500',
        'reset',
        'invalid_grant',
        'malformed',
        'hang',
      ),
    }),
  ],
  ['abort', 1, fc.record({ do: fc.constant('abort' as const), pick: fc.nat({ max: 7 }) })],
  [
    'tick',
    2,
    fc.record({
      do: fc.constant('tick' as const),
      ms: fc.constantFrom(1_000, 10_000, 31_000, 61_000),
    }),
  ],
  ['login', 1, fc.record({ do: fc.constant('login' as const), expiring: fc.boolean() })],
  ['logout', 1, fc.constant({ do: 'logout' as const })],
  ['manualRefresh', 1, fc.constant({ do: 'manualRefresh' as const })],
];

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  ...commandKinds
    .filter(([kind]) => !without.has(kind))
    .map(([, weight, arbitrary]) => ({ weight, arbitrary })),
);

export const scheduleArb = fc.array(commandArb, { minLength: 1, maxLength: 60, size: 'max' });

// ---------------------------------------------------------------------------------------------
// The world

/** One request on the wire, as the fake server saw it. */
interface Wire {
  id: number;
  /** The call it belongs to (X-Call header); undefined for token requests. */
  call: number | undefined;
  /** The refresh attempt a token request belongs to (X-Refresh header). */
  attempt: number | undefined;
  replay: boolean;
  method: string;
  url: string | undefined;
  baseURL: string | undefined;
  params: string;
  headers: Record<string, unknown>;
  body: string;
  token: string | undefined;
  sentAt: number;
  answer: 'pending' | 200 | 401 | 500 | 400 | 'reset' | 'aborted';
  respond: (answer: Exclude<Wire['answer'], 'pending' | 'aborted'>, data: unknown) => void;
}

/** One request a caller made: `instance.request(...)`. */
interface Call {
  id: number;
  on: Instance;
  skipAuth: boolean;
  controller: AbortController | undefined;
  abortedAt: number | undefined;
  startedAt: number;
  /** Tokens already replaced when the call started: it must never carry one of them. */
  staleAtStart: Set<string>;
  outcome: { ok: true; value: AxiosResponse } | { ok: false; error: unknown } | undefined;
  settledCount: number;
}

interface Attempt {
  id: number;
  from: string | undefined;
  trigger: string;
  active: boolean;
  overtaken: boolean;
  startedAt: number;
  /** The command (or drain round) during which it started. */
  step: number;
  /** The command (or drain round) during which it ended. */
  endStep: number | undefined;
  /** How the token endpoint (or the timeout) ended it, while the library still waited. */
  result: 'ok' | 'failed' | 'refused' | undefined;
}

/** Thrown with everything needed to read a failing schedule. */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

const flushOnce = () => new Promise<void>((resolve) => setImmediate(resolve));
async function flush() {
  await flushOnce();
  await flushOnce();
}

const Canceled = CanceledError as unknown as new (
  message: string | null,
  config: InternalAxiosRequestConfig,
  request: unknown,
) => AxiosError;

function bodyFor(kind: Body, n: number): unknown {
  switch (kind) {
    case 'json':
      return { n, text: 'é ünïcode', list: [1, 2, 3], nested: { ok: true } };
    case 'text':
      return `  free text ${n} with spaces  `;
    case 'form':
      return new URLSearchParams({ n: String(n), q: 'a b&c' });
    case 'bytes':
      return Buffer.from([0, 1, 2, 255, n & 255]);
  }
}

function bytesOf(data: unknown): string {
  if (data === undefined || data === null) return '<none>';
  if (typeof data === 'string') return `string:${data}`;
  if (Buffer.isBuffer(data)) return `buffer:${data.toString('hex')}`;
  if (data instanceof ArrayBuffer) return `arraybuffer:${Buffer.from(data).toString('hex')}`;
  return `other:${Object.prototype.toString.call(data)}:${JSON.stringify(data)}`;
}

function headersOf(config: InternalAxiosRequestConfig): Record<string, unknown> {
  return AxiosHeaders.from(config.headers).toJSON() as Record<string, unknown>;
}

export interface RunResult {
  calls: number;
  sends: number;
  refreshes: number;
  /** How often each thing happened, to see what a batch of schedules covered. */
  counts: Record<string, number>;
}

/**
 * Runs one schedule, drains everything (bounded), and checks the invariants. Throws an
 * InvariantViolation listing every broken one and the event trace.
 */
export async function runSchedule(schedule: readonly Command[]): Promise<RunResult> {
  jest.clearAllTimers();
  const violations: string[] = [];
  const trace: string[] = [];
  let clock = 0; // event counter: orders sends, answers and aborts
  const tick = () => ++clock;
  const fail = (message: string) => {
    violations.push(`${message} [event ${clock}]`);
  };

  // Server state.
  let tokenCounter = 0;
  const valid = new Set<string>();
  const expiry = new Map<string, number>();
  const secrets = new Set<string>();
  const issue = (expiring: boolean) => {
    tokenCounter++;
    const accessToken = `acc${tokenCounter}Z`;
    const refreshToken = `ref${tokenCounter}Z`;
    valid.add(accessToken);
    secrets.add(accessToken);
    secrets.add(refreshToken);
    if (expiring) expiry.set(accessToken, Date.now() + EXPIRES_IN_S * 1000);
    return { accessToken, refreshToken };
  };
  const accepts = (token: string | undefined) =>
    token !== undefined && valid.has(token) && Date.now() < (expiry.get(token) ?? Infinity);

  const wires: Wire[] = [];
  const calls: Call[] = [];
  const attempts: Attempt[] = [];
  let attemptCounter = 0;
  let expectedEndings = 0;
  let logouts = 0;
  const events = {
    refreshed: [] as unknown[],
    failed: [] as unknown[],
    ended: [] as { reason: string }[],
    replays: [] as unknown[],
  };
  // Tokens the session held and then stopped holding.
  const replaced = new Set<string>();
  let lastSeen: string | undefined;
  let endedSinceLogin = false;
  /** Latest 401 (event index) on a send carrying each token. */
  const lastRefusalOf = new Map<string, number>();
  /** Latest refresh attempt start (event index) from each token. */
  const lastAttemptFrom = new Map<string, number>();
  /**
   * When a refresh from each token last failed (event index). A refusal of a request sent before
   * that shares the failure (invariant 9), so it is no reason for another refresh.
   */
  const failedAt = new Map<string, number>();
  let manualPending = 0;
  let stepCounter = 0;

  const observeTokens = () => {
    const now = session.getTokens()?.accessToken;
    if (lastSeen !== undefined && now !== lastSeen) replaced.add(lastSeen);
    lastSeen = now;
  };
  const activeAttempt = () => attempts.find((a) => a.active);

  function adapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    return new Promise((resolve, reject) => {
      const headers = headersOf(config);
      const auth = headers['Authorization'];
      const callHeader = headers['X-Call'];
      const attemptHeader = headers['X-Refresh'];
      const wire: Wire = {
        id: wires.length + 1,
        call: callHeader === undefined ? undefined : Number(callHeader),
        attempt: attemptHeader === undefined ? undefined : Number(attemptHeader),
        // A second send of the same call is its replay, however the library marks it.
        replay: callHeader !== undefined && wires.some((w) => w.call === Number(callHeader)),
        method: String(config.method).toUpperCase(),
        url: config.url,
        baseURL: config.baseURL,
        params: JSON.stringify(config.params ?? null),
        headers,
        body: bytesOf(config.data),
        token: typeof auth === 'string' ? auth.replace(/^Bearer /, '') : undefined,
        sentAt: tick(),
        answer: 'pending',
        respond: () => undefined,
      };
      if (auth !== undefined && typeof auth !== 'string') fail(`wire ${wire.id}: odd header`);
      if (wire.token !== undefined && wire.token !== session.getTokens()?.accessToken) {
        fail(`wire ${wire.id} (call ${wire.call}) went out with ${wire.token}, no longer held`);
      }
      // A request that resumes in the same flush in which a refresh starts may go out with the
      // token held; one that starts after a refresh began must wait for it.
      const inFlight = activeAttempt();
      if (wire.token !== undefined && inFlight && inFlight.step < stepCounter) {
        fail(`wire ${wire.id} (call ${wire.call}) went out while refresh#${inFlight.id} ran`);
      }
      // A token about to expire is refreshed before it is sent. Requests that waited for a
      // refresh go out with whatever it left (tokenForRequest does not look at the expiry again
      // after waiting), so the check skips the step in which a refresh ended.
      const held = session.getTokens();
      const due = held?.expiresAt !== undefined && Date.now() >= held.expiresAt - LEEWAY;
      if (wire.token !== undefined && due && !attempts.some((a) => a.endStep === stepCounter)) {
        fail(`wire ${wire.id} (call ${wire.call}) went out with ${wire.token}, due for refresh`);
      }
      wires.push(wire);

      const onAbort = () => {
        if (wire.answer !== 'pending') return;
        wire.answer = 'aborted';
        reject(new Canceled(null, config, {}));
      };
      config.signal?.addEventListener?.('abort', onAbort);
      wire.respond = (answer, data) => {
        if (wire.answer !== 'pending') return;
        wire.answer = answer;
        config.signal?.removeEventListener?.('abort', onAbort);
        if (answer === 'reset') {
          reject(new AxiosError('socket hang up', 'ECONNRESET', config, {}));
          return;
        }
        const response: AxiosResponse = {
          data,
          status: answer,
          statusText: String(answer),
          headers: new AxiosHeaders(),
          config,
          request: {},
        };
        if (answer === 200) resolve(response);
        else {
          reject(
            new AxiosError(
              `Request failed with status code ${answer}`,
              answer >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
              config,
              {},
              response,
            ),
          );
        }
      };
    });
  }

  const makeInstance = () =>
    axios.create({ baseURL: BASE_URL, adapter, headers: { 'X-Client': 'fuzz' } });
  const A: AxiosInstance = makeInstance();
  const B: AxiosInstance = makeInstance();

  const initial = issue(false);
  const session: AuthSession = createAuthSession({
    tokens: initial,
    refreshTimeout: REFRESH_TIMEOUT,
    refreshLeeway: LEEWAY,
    async refresh(current, { signal, trigger }) {
      observeTokens();
      const attempt: Attempt = {
        id: ++attemptCounter,
        from: current?.accessToken,
        trigger,
        active: true,
        overtaken: false,
        startedAt: tick(),
        step: stepCounter,
        endStep: undefined,
        result: undefined,
      };
      trace.push(`refresh#${attempt.id} from ${attempt.from} (${trigger})`);
      const other = activeAttempt();
      if (other) fail(`refresh#${attempt.id} started while refresh#${other.id} is in flight`);
      const from = attempt.from;
      if (from === undefined) fail(`refresh#${attempt.id} started without tokens`);
      else {
        if (replaced.has(from)) fail(`refresh#${attempt.id} started for replaced token ${from}`);
        if (trigger === 'refusal') {
          const refusal = lastRefusalOf.get(from) ?? -1;
          if (refusal <= (lastAttemptFrom.get(from) ?? -1)) {
            fail(`refresh#${attempt.id} from ${from} has no new refusal of that token`);
          }
        } else if (trigger === 'expiry') {
          const expiresAt = session.getTokens()?.expiresAt;
          if (expiresAt === undefined || Date.now() < expiresAt - LEEWAY) {
            fail(`refresh#${attempt.id} (expiry) for a token that is not about to expire`);
          }
        } else if (trigger === 'manual') {
          if (manualPending === 0) fail(`refresh#${attempt.id} (manual) without session.refresh()`);
        } else fail(`refresh#${attempt.id}: unexpected trigger ${trigger}`);
        lastAttemptFrom.set(from, attempt.startedAt);
      }
      attempts.push(attempt);
      const finish = () => {
        if (attempt.active) attempt.endStep = stepCounter;
        attempt.active = false;
      };
      signal.addEventListener('abort', () => {
        if (attempt.active && !isRefreshTimeoutError(signal.reason)) {
          fail(`refresh#${attempt.id} aborted by something other than its timeout`);
        }
        if (attempt.active) {
          trace.push(`refresh#${attempt.id} timed out`);
          attempt.result = 'failed';
        }
        finish();
      });
      try {
        const response = await A.post(
          '/oauth/token',
          new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: current?.refreshToken ?? '',
          }),
          { skipAuth: true, signal, headers: { 'X-Refresh': String(attempt.id) } },
        );
        const data = response.data as Record<string, unknown>;
        return {
          accessToken: data['access_token'] as string,
          refreshToken: data['refresh_token'] as string | undefined,
          expiresIn: data['expires_in'] as number | undefined,
        };
      } finally {
        finish();
      }
    },
    onTokenRefreshed: (event) => events.refreshed.push(event),
    onRefreshFailed: (event) => {
      events.failed.push(event);
      const from = attempts[attempts.length - 1]?.from;
      if (from !== undefined) failedAt.set(from, tick());
    },
    onSessionEnded: (event) => {
      events.ended.push(event);
      trace.push(`session ended (${event.reason})`);
      if (endedSinceLogin) fail('onSessionEnded fired twice for one ending');
      endedSinceLogin = true;
    },
    onReplay: (event) => events.replays.push(event),
  });
  attachBearerAuth(A, session);
  attachBearerAuth(B, session);
  lastSeen = initial.accessToken;

  const pendingApi = () => wires.filter((w) => w.answer === 'pending' && w.attempt === undefined);
  const pendingToken = () => wires.find((w) => w.answer === 'pending' && w.attempt !== undefined);

  function answerApi(wire: Wire, as: AnswerKind) {
    const call = calls[wire.call! - 1]!;
    let status: 200 | 401 | 500 | 'reset';
    if (as === 'reset') status = 'reset';
    else if (as === '500') status = 500;
    else if (as === '401') status = 401;
    else status = call.skipAuth || accepts(wire.token) ? 200 : 401;
    trace.push(
      `answer wire#${wire.id} (call ${wire.call}, ${wire.token ?? 'no token'}): ${status}`,
    );
    tick();
    if (
      status === 401 &&
      wire.token !== undefined &&
      wire.sentAt > (failedAt.get(wire.token) ?? -1)
    ) {
      lastRefusalOf.set(wire.token, clock);
    }
    wire.respond(status, status === 200 ? { wire: wire.id } : { error: 'nope' });
  }

  function answerToken(wire: Wire, outcome: RefreshOutcome) {
    const attempt = attempts[wire.attempt! - 1]!;
    trace.push(`token endpoint answers refresh#${attempt.id}: ${outcome}`);
    tick();
    if (outcome !== 'hang') {
      attempt.result =
        outcome === 'invalid_grant' ? 'refused' : outcome.startsWith('ok') ? 'ok' : 'failed';
      if (attempt.result === 'refused' && !attempt.overtaken) expectedEndings++;
    }
    switch (outcome) {
      case 'ok':
      case 'ok-expiring': {
        const next = issue(outcome === 'ok-expiring');
        wire.respond(200, {
          access_token: next.accessToken,
          refresh_token: next.refreshToken,
          token_type: 'Bearer',
          ...(outcome === 'ok-expiring' ? { expires_in: EXPIRES_IN_S } : {}),
        });
        return;
      }
      case '500':
        wire.respond(500, { error: 'server_error' });
        return;
      case 'reset':
        wire.respond('reset', undefined);
        return;
      case 'invalid_grant':
        wire.respond(400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
        return;
      case 'malformed':
        wire.respond(200, '<html>oops</html>');
        return;
      case 'hang':
        jest.advanceTimersByTime(REFRESH_TIMEOUT);
        return;
    }
  }

  function startCall(command: Extract<Command, { do: 'start' }>) {
    const id = calls.length + 1;
    const controller = command.abortable ? new AbortController() : undefined;
    const call: Call = {
      id,
      on: command.on,
      skipAuth: command.skipAuth,
      controller,
      abortedAt: undefined,
      startedAt: tick(),
      staleAtStart: new Set(replaced),
      outcome: undefined,
      settledCount: 0,
    };
    calls.push(call);
    trace.push(
      `call ${id}: ${command.method} on ${command.on}${command.skipAuth ? ' skipAuth' : ''}`,
    );
    const instance = command.on === 'A' ? A : B;
    const promise = instance.request({
      method: command.method,
      url: `/items/${id}`,
      params: { q: 'x y', n: id },
      headers: { 'X-Call': String(id), 'X-Custom': `v${id}` },
      ...(command.method === 'POST' ? { data: bodyFor(command.body, id) } : {}),
      ...(command.skipAuth ? { skipAuth: true } : {}),
      ...(controller ? { signal: controller.signal } : {}),
    });
    promise.then(
      (value) => {
        call.settledCount++;
        call.outcome = { ok: true, value };
      },
      (error: unknown) => {
        call.settledCount++;
        call.outcome = { ok: false, error };
      },
    );
  }

  async function step(command: Command) {
    stepCounter++;
    switch (command.do) {
      case 'start': {
        startCall(command);
        await flush();
        const call = calls[calls.length - 1]!;
        if (call.skipAuth && !wires.some((w) => w.call === call.id)) {
          fail(`call ${call.id} (skipAuth) was not sent at once`);
        }
        break;
      }
      case 'answer': {
        const pending = pendingApi();
        const wire = pending[command.pick % Math.max(pending.length, 1)];
        if (!wire) return;
        const refusedStale =
          wire.token !== undefined && wire.token !== session.getTokens()?.accessToken;
        const held = session.getTokens();
        const idle =
          !activeAttempt() && held !== null && Date.now() < (held.expiresAt ?? Infinity) - LEEWAY;
        answerApi(wire, command.as);
        await flush();
        // A refusal of a token that was already replaced replays at once, with no refresh.
        const lastAnswer = wire.answer;
        if (lastAnswer === 401 && !wire.replay && refusedStale && idle) {
          const call = calls[wire.call! - 1]!;
          if (call.abortedAt === undefined && !wires.some((w) => w.call === call.id && w.replay)) {
            fail(`call ${call.id}: refusal of replaced token ${wire.token} not replayed at once`);
          }
        }
        break;
      }
      case 'expire': {
        const current = session.getTokens()?.accessToken;
        if (current) valid.delete(current);
        trace.push(`server stops accepting ${current}`);
        break;
      }
      case 'refresh': {
        const wire = pendingToken();
        if (!wire) return;
        answerToken(wire, command.outcome);
        await flush();
        break;
      }
      case 'abort': {
        const open = calls.filter((c) => c.controller && !c.controller.signal.aborted);
        const call = open[command.pick % Math.max(open.length, 1)];
        if (!call) return;
        trace.push(`abort call ${call.id}`);
        call.abortedAt = tick();
        call.controller!.abort();
        await flush();
        // An aborted request leaves the queue (or the wire) at once.
        if (call.settledCount === 0) fail(`call ${call.id} still unsettled after its abort`);
        break;
      }
      case 'tick': {
        trace.push(`clock +${command.ms} ms`);
        jest.advanceTimersByTime(command.ms);
        await flush();
        break;
      }
      case 'login': {
        const next = issue(command.expiring);
        trace.push(`login as ${next.accessToken}`);
        for (const attempt of attempts) if (attempt.active) attempt.overtaken = true;
        await session.setTokens({ ...next, expiresAt: expiry.get(next.accessToken) });
        endedSinceLogin = false;
        await flush();
        break;
      }
      case 'logout': {
        trace.push('logout');
        for (const attempt of attempts) if (attempt.active) attempt.overtaken = true;
        if (session.getTokens() !== null) expectedEndings++;
        logouts++;
        await session.clear();
        await flush();
        break;
      }
      case 'manualRefresh': {
        trace.push('session.refresh()');
        manualPending++;
        session.refresh().then(
          () => manualPending--,
          () => manualPending--,
        );
        await flush();
        break;
      }
    }
    observeTokens();
  }

  // Run the schedule, then drain: the token endpoint and the API answer everything (bounded).
  for (const command of schedule) await step(command);
  for (let round = 0; round < 50; round++) {
    stepCounter++;
    const tokenWire = pendingToken();
    if (tokenWire) answerToken(tokenWire, 'ok');
    for (const wire of pendingApi()) answerApi(wire, 'auto');
    await flush();
    observeTokens();
    if (!pendingToken() && pendingApi().length === 0 && manualPending === 0) {
      if (calls.every((c) => c.settledCount > 0)) break;
    }
  }

  checkAll();
  const counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  for (const wire of wires)
    count(wire.attempt ? 'token requests' : wire.replay ? 'replays' : 'sends');
  for (const attempt of attempts) {
    count(`refresh ${attempt.trigger} ${attempt.result}${attempt.overtaken ? ' overtaken' : ''}`);
  }
  for (const call of calls) {
    const outcome = call.outcome;
    if (!outcome) count('unsettled');
    else if (outcome.ok) count('call ok');
    else count(`call ${(outcome.error as Error).name}`);
  }
  count(`ended events ${events.ended.length}`);
  const result = {
    calls: calls.length,
    sends: wires.length,
    refreshes: attempts.length,
    counts,
  };
  if (violations.length > 0) {
    throw new InvariantViolation(
      `${violations.length} invariant(s) broken:\n  - ${violations.join('\n  - ')}\n` +
        `trace:\n  ${trace.join('\n  ')}`,
    );
  }
  return result;

  function checkAll() {
    if (jest.getTimerCount() !== 0) fail(`${jest.getTimerCount()} timer(s) left after draining`);
    if (activeAttempt()) fail('a refresh is still in flight after draining');

    const counted = attempts.filter((a) => !a.overtaken);
    const failedAttempts = counted.filter((a) => a.result && a.result !== 'ok').length;
    const refusedAttempts = counted.filter((a) => a.result === 'refused').length;
    const expectedFailures = failedAttempts;
    if (events.failed.length !== failedAttempts) {
      fail(`onRefreshFailed fired ${events.failed.length} times for ${failedAttempts} failures`);
    }
    if (events.ended.length !== expectedEndings) {
      fail(`onSessionEnded fired ${events.ended.length} times for ${expectedEndings} endings`);
    }
    if ((session.getTokens() === null) !== endedSinceLogin) {
      fail(`session holds ${session.getTokens() ? 'tokens' : 'no tokens'} after the last event`);
    }
    const eventText = JSON.stringify(events);
    for (const secret of secrets) {
      if (eventText.includes(`"${secret}"`)) fail(`an event carries the secret ${secret}`);
    }

    const replaySends = wires.filter((w) => w.replay).length;
    if (events.replays.length < replaySends) {
      fail(`${replaySends} replays sent but onReplay fired ${events.replays.length} times`);
    }

    const refreshErrors = new Set<unknown>();
    const endedErrors = new Set<unknown>();
    for (const call of calls) {
      const sends = wires.filter((w) => w.call === call.id);
      const label = `call ${call.id}`;
      if (call.settledCount !== 1) fail(`${label} settled ${call.settledCount} times`);
      const originals = sends.filter((w) => !w.replay);
      const replays = sends.filter((w) => w.replay);
      if (replays.length > 1) fail(`${label} replayed ${replays.length} times`);
      if (call.skipAuth && replays.length > 0) fail(`${label} (skipAuth) was replayed`);

      for (const send of sends) {
        if (call.skipAuth && send.token !== undefined) fail(`${label} (skipAuth) carried a token`);
        if (!call.skipAuth && send.token === undefined) fail(`${label} went out without a token`);
        if (send.token !== undefined && call.staleAtStart.has(send.token)) {
          fail(`${label} carried ${send.token}, replaced before the call started`);
        }
        if (call.abortedAt !== undefined && send.sentAt > call.abortedAt) {
          fail(`${label} was sent (wire ${send.id}) after it was aborted`);
        }
        if (send.url !== `/items/${call.id}` || send.baseURL !== BASE_URL) {
          fail(`${label}: wire ${send.id} went to ${send.baseURL} + ${send.url}`);
        }
      }
      const [original] = originals;
      const [replay] = replays;
      if (original && replay) {
        if (original.answer !== 401) fail(`${label} replayed after a ${original.answer}`);
        const strip = (w: Wire) => {
          const rest = { ...w.headers };
          delete rest['Authorization'];
          return JSON.stringify({ m: w.method, p: w.params, h: rest, b: w.body });
        };
        if (strip(original) !== strip(replay)) {
          fail(
            `${label}: replay differs from the original:\n    ${strip(original)}\n    ${strip(replay)}`,
          );
        }
        if (replay.token === original.token) {
          fail(`${label} replayed with the very token that was refused (${replay.token})`);
        }
      }
      if (!call.outcome) continue;
      const last = sends[sends.length - 1];
      if (call.outcome.ok) {
        const data = call.outcome.value.data as { wire?: number };
        if (!last || last.answer !== 200 || data.wire !== last.id) {
          fail(`${label} resolved with wire ${data.wire}, not its last 200 answer`);
        }
        continue;
      }
      const error = call.outcome.error;
      if (axios.isCancel(error)) {
        if (call.abortedAt === undefined) fail(`${label} was cancelled but never aborted`);
      } else if (isRefreshFailedError(error)) {
        refreshErrors.add(error);
        if (call.skipAuth) fail(`${label} (skipAuth) failed with a refresh error`);
      } else if (isSessionEndedError(error)) {
        endedErrors.add(error);
        if (call.skipAuth) fail(`${label} (skipAuth) failed with a session error`);
        if (error.reason === 'no-tokens') fail(`${label}: session ended with reason no-tokens`);
        if (error.reason === 'refresh-refused' && refusedAttempts === 0) {
          fail(`${label}: refresh-refused without a refused refresh`);
        }
        if (error.reason === 'logout' && logouts === 0) fail(`${label}: logout without logout`);
      } else if (isBearerAuthError(error)) {
        fail(`${label} failed with ${(error as Error).name}: ${(error as Error).message}`);
      } else if (axios.isAxiosError(error)) {
        const status = error.response?.status;
        const expected = last?.answer;
        if (status === undefined ? expected !== 'reset' : status !== expected) {
          fail(`${label} failed with ${status ?? error.code}; last answer was ${expected}`);
        }
        if (status === 401 && !call.skipAuth && replays.length === 0) {
          fail(`${label}: a refusal reached the caller without a replay`);
        }
      } else {
        fail(`${label} failed with an unexpected ${String(error)}`);
      }
      if (isBearerAuthError(error)) {
        let text = '';
        for (let e: unknown = error; e instanceof Error; e = e.cause) {
          text += `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`;
        }
        for (const secret of secrets) {
          if (text.includes(secret)) fail(`${label}: its error carries the secret ${secret}`);
        }
      }
    }
    const transientFailures = expectedFailures - refusedAttempts;
    if (refreshErrors.size > transientFailures) {
      fail(`${refreshErrors.size} distinct refresh errors for ${transientFailures} failures`);
    }
    if (endedErrors.size > refusedAttempts + logouts) {
      fail(`${endedErrors.size} distinct session errors for ${refusedAttempts + logouts} endings`);
    }
  }
}

/** The token type used above, re-exported for regression tests that build their own checks. */
export type { TokenSet };
