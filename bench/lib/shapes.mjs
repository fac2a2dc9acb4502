// Interceptor shapes for the instruction count only (`node bench/lib/count.mjs shape-…`): minimal
// stand-ins with this library's structure, to tell which part of its per-request cost comes from
// where. Not part of the comparison tables.
import axios from 'axios';

function instanceFor(env) {
  return axios.create({ baseURL: env.baseURL, adapter: env.adapter });
}

/**
 * `set`: 'headers.set' (AxiosHeaders.set) or 'assign' (plain property assignment);
 * `runWhenTwice`: each of the two request interceptors evaluates the send-now test itself;
 * `response`: a response interceptor with only a rejection handler.
 */
function shape(env, token, { set, runWhenTwice, response }) {
  const instance = instanceFor(env);
  const refreshAt = Infinity;
  const canSendNow = () => Date.now() < refreshAt;
  let decided = false;
  const value = `Bearer ${token}`;
  instance.interceptors.request.use(
    (config) => {
      if (set === 'assign') config.headers.Authorization = value;
      else config.headers.set('Authorization', value);
      return config;
    },
    undefined,
    {
      synchronous: true,
      runWhen: () => (decided = canSendNow()),
    },
  );
  instance.interceptors.request.use(async (config) => config, undefined, {
    runWhen: runWhenTwice ? () => !canSendNow() : () => !decided,
  });
  if (response) instance.interceptors.response.use(undefined, (error) => Promise.reject(error));
  return instance;
}

export const shapes = {
  'shape-set-twice-response': { set: 'set', runWhenTwice: true, response: true },
  'shape-assign-twice-response': { set: 'assign', runWhenTwice: true, response: true },
  'shape-assign-once-response': { set: 'assign', runWhenTwice: false, response: true },
  'shape-assign-once': { set: 'assign', runWhenTwice: false, response: false },
};

export function shapeClient(name, env, { token }) {
  const instance = shape(env, token, shapes[name]);
  return { instance, send: () => instance.get('/api/items'), refreshCalls: () => 0 };
}
