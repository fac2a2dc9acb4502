// The in-process "server": an axios adapter that answers from the same world as the real server,
// resolving at once (no I/O, no timers), so that what is measured is the client side only.
import { AxiosError } from 'axios';
import { createWorld } from './world.mjs';

const HEADERS = { 'content-type': 'application/json' };

export function createInProcess() {
  const world = createWorld();

  function answer(config, { status, body }) {
    const response = { data: body, status, statusText: '', headers: HEADERS, config, request: {} };
    const validate = config.validateStatus;
    if (!validate || validate(status)) return Promise.resolve(response);
    return Promise.reject(
      new AxiosError(
        `Request failed with status code ${status}`,
        status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
        config,
        response.request,
        response,
      ),
    );
  }

  /** @param {import('axios').InternalAxiosRequestConfig} config */
  function inProcessAdapter(config) {
    const method = (config.method ?? 'get').toUpperCase();
    const authorization = config.headers.get('Authorization') ?? undefined;
    let immediate;
    let settle;
    world.handle(method, config.url ?? '/', authorization, (reply) => {
      if (settle) settle(reply);
      else immediate = reply;
    });
    if (immediate) return answer(config, immediate);
    return new Promise((resolve) => {
      settle = resolve;
    }).then((reply) => answer(config, reply));
  }

  return {
    adapter: inProcessAdapter,
    control: async (op, args) => world[op](args),
    /** Synchronous access for the instruction counter, which must not add awaits. */
    world,
  };
}
