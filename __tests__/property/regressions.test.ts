/**
 * Schedules the model-based test found, kept as plain tests. A `test.failing` would be a bug that
 * is still open: it passes while the bug is there and turns red once src/ is fixed; then make it
 * a plain `test`.
 */
import { createAuthSession, type TokenSet } from '../../src/index.js';
import { runSchedule, type Command } from './harness.js';

beforeAll(() => {
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'hrtime',
      'performance',
    ],
  });
});

afterAll(() => {
  jest.useRealTimers();
});

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('session.refresh() queued behind a refresh from an older token', () => {
  // Found by the fuzzer (seed -1627966321), shrunk to: a refusal starts refresh #1; logout;
  // session.refresh(); the token endpoint answers #1. session.refresh() during a flight from
  // another token (here: none, after logout) queues a second flight; when #1 ends,
  // performRefresh() only returns early when `tokens && tokens.accessToken !== from`, so with no
  // tokens it calls refresh(null) although refreshWhenEmpty is off, and adopts the result.
  const schedule: Command[] = [
    { do: 'start', on: 'A', method: 'GET', body: 'json', skipAuth: false, abortable: false },
    { do: 'answer', pick: 0, as: '401' },
    { do: 'logout' },
    { do: 'manualRefresh' },
    { do: 'answer', pick: 0, as: 'auto' },
  ];

  test('the shrunk schedule keeps every invariant', async () => {
    await runSchedule(schedule);
  });

  test('a logout stays a logout: no refresh(null), no tokens afterwards', async () => {
    const answers: ((tokens: TokenSet) => void)[] = [];
    const refresh = jest.fn(() => new Promise<TokenSet>((resolve) => answers.push(resolve)));
    const refreshed = jest.fn();
    const session = createAuthSession({
      tokens: { accessToken: 'firstAccess', refreshToken: 'firstRefresh' },
      refresh,
      onTokenRefreshed: refreshed,
    });

    const first = session.refresh().catch((error: unknown) => error);
    await flush();
    await session.clear();
    const second = session.refresh().catch((error: unknown) => error);
    answers[0]!({ accessToken: 'lateAccess' });
    await flush();
    try {
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(session.getTokens()).toBeNull();
      expect(refreshed).not.toHaveBeenCalled();
      expect(await first).toMatchObject({ code: 'ERR_SESSION_ENDED', reason: 'logout' });
      expect(await second).toMatchObject({ code: 'ERR_SESSION_ENDED', reason: 'logout' });
    } finally {
      // With the bug, a second refresh(null) is waiting: let it end so nothing stays open.
      for (const answer of answers.slice(1)) answer({ accessToken: 'revivedAccess' });
      await Promise.all([first, second]);
    }
  });
});

describe('the re-entry guard of many sessions', () => {
  // Found by the fuzzer slowing down: in one process the first 500 schedules took 6 s of CPU,
  // the sixth 500 took 65 s. Every session made its own AsyncLocalStorage and run() it on its
  // first refresh; Node keeps every storage ever run in one global list and visits all of them
  // for each promise created anywhere in the process (200,000 awaits: 56 ms with no session,
  // 28 s after 1,000 sessions had refreshed once). Even one storage slows every await in the
  // process about threefold on Node 20, so the guard now uses no AsyncLocalStorage at all.
  test('refreshing many sessions runs no AsyncLocalStorage', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      for (let i = 0; i < 20; i++) {
        const session = createAuthSession({
          tokens: { accessToken: `first${i}` },
          refresh: () => Promise.resolve({ accessToken: `next${i}` }),
        });
        await expect(session.refresh()).resolves.toEqual({ accessToken: `next${i}` });
      }
      expect(run).not.toHaveBeenCalled();
      expect(enterWith).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });
});
