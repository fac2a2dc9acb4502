// The API and token endpoint the benchmark talks to, as plain state and one `handle` function, so
// the real HTTP server (server.mjs, in a worker thread) and the in-process adapter (adapter.mjs)
// answer exactly alike.
//
// Access tokens are strings the world issued; every token it issued since the last reset stays
// valid (as access tokens do until they expire), except the stale one the clients start with.

const JSON_OK = '{"ok":true,"items":[1,2,3]}';

export function createWorld() {
  const state = {
    prefix: 'x',
    issued: 0,
    valid: new Set(),
    /** 'ok' issues a token; 'fail' answers 500; 'refuse' answers 401 invalid_grant. */
    tokenMode: 'ok',
    /** Refusals of requests to /api/late are delivered only on release(). */
    held: [],
    stats: { api: 0, refused: 0, tokenCalls: 0, held: 0 },
  };

  function issue() {
    const token = `${state.prefix}${++state.issued}`;
    state.valid.add(token);
    return token;
  }

  /** Starts a scenario: forgets every token and returns a valid one and a stale one. */
  function reset({ prefix, tokenMode = 'ok' }) {
    state.prefix = prefix;
    state.issued = 0;
    state.valid = new Set();
    state.tokenMode = tokenMode;
    state.held = [];
    state.stats = { api: 0, refused: 0, tokenCalls: 0, held: 0 };
    return { valid: issue(), stale: `${prefix}stale` };
  }

  function token() {
    state.stats.tokenCalls++;
    if (state.tokenMode === 'fail') {
      return { status: 500, body: '{"error":"temporarily_unavailable"}' };
    }
    if (state.tokenMode === 'refuse') {
      return { status: 401, body: '{"error":"invalid_grant"}' };
    }
    return { status: 200, body: `{"access_token":"${issue()}","token_type":"Bearer"}` };
  }

  function api(authorization) {
    state.stats.api++;
    const ok =
      typeof authorization === 'string' &&
      authorization.startsWith('Bearer ') &&
      state.valid.has(authorization.slice(7));
    if (ok) return { status: 200, body: JSON_OK };
    state.stats.refused++;
    return { status: 401, body: '{"error":"invalid_token"}' };
  }

  /**
   * Answers one request: `reply(answer)` now, or later for held requests.
   * @param {string} method @param {string} path @param {string|undefined} authorization
   */
  function handle(method, path, authorization, reply) {
    if (method === 'POST' && path === '/token') return reply(token());
    if (path.startsWith('/api/late')) {
      // A refusal is decided now and delivered on release(); a success goes out at once.
      const answer = api(authorization);
      if (answer.status !== 401) return reply(answer);
      state.stats.held++;
      state.held.push(() => reply(answer));
      return undefined;
    }
    if (path.startsWith('/api/')) return reply(api(authorization));
    return reply({ status: 404, body: '{}' });
  }

  function release() {
    const held = state.held;
    state.held = [];
    for (const send of held) send();
    return held.length;
  }

  return { handle, reset, release, stats: () => ({ ...state.stats }) };
}
