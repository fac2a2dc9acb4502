// The clients compared: plain axios, this library, axios-auth-refresh wired as its README says,
// and the hand-written floor. Each is built fresh for a scenario and exposes `send()` (one
// authorized GET) and `refreshCalls()`.
import axios from 'axios';
import { createAuthRefreshInterceptor } from 'axios-auth-refresh';
import { attachBearerAuth, createAuthSession } from 'axios-bearer-refresh';

/**
 * @typedef {{ baseURL: string, adapter?: Function, httpAgent?: import('node:http').Agent }} Env
 * @typedef {{ token: string, expired?: boolean }} Start
 */

const API_PATH = '/api/items';

/** Adds `send()`: one GET of the API path. */
function withSend(client) {
  client.send = () => client.sendTo(API_PATH);
  return client;
}

function instanceFor(env, headers) {
  // baseURL always points at 127.0.0.1, also for the in-process adapter (which never sends).
  const config = { baseURL: env.baseURL, headers };
  if (env.adapter) config.adapter = env.adapter;
  if (env.httpAgent) config.httpAgent = env.httpAgent;
  return axios.create(config);
}

/** Plain axios: the token in the instance's default headers, no interceptor at all. */
export function plain(env, { token }) {
  const instance = instanceFor(env, { Authorization: `Bearer ${token}` });
  return withSend({ instance, sendTo: (path) => instance.get(path), refreshCalls: () => 0 });
}

/** This library, with its refresh on the same instance (skipAuth), as its README shows. */
export function ours(env, { token, expired = false }) {
  const instance = instanceFor(env);
  let calls = 0;
  const session = createAuthSession({
    tokens: expired ? { accessToken: token, expiresAt: Date.now() - 1000 } : { accessToken: token },
    async refresh(_current, { signal }) {
      calls++;
      const { data } = await instance.post('/token', null, { skipAuth: true, signal });
      return { accessToken: data.access_token };
    },
  });
  attachBearerAuth(instance, session);
  return withSend({
    instance,
    session,
    sendTo: (path) => instance.get(path),
    refreshCalls: () => calls,
  });
}

/**
 * axios-auth-refresh 5, wired as its README says: a request interceptor that reads the token
 * each time, and createAuthRefreshInterceptor(instance, refreshAuthLogic) whose logic posts to the
 * token endpoint through the same instance and sets the failed request's header.
 */
export function peer(env, { token }) {
  const instance = instanceFor(env);
  let accessToken = token;
  let calls = 0;
  const getAccessToken = () => accessToken;
  instance.interceptors.request.use((request) => {
    request.headers['Authorization'] = `Bearer ${getAccessToken()}`;
    return request;
  });
  const refreshAuthLogic = (failedRequest) => {
    calls++;
    return instance.post('/token').then((tokenRefreshResponse) => {
      accessToken = tokenRefreshResponse.data.access_token;
      failedRequest.response.config.headers['Authorization'] = `Bearer ${accessToken}`;
      return Promise.resolve();
    });
  };
  createAuthRefreshInterceptor(instance, refreshAuthLogic);
  return withSend({ instance, sendTo: (path) => instance.get(path), refreshCalls: () => calls });
}

/**
 * The floor: the least any client must do. Plain axios sends the request; at the first refusal it
 * makes the one refresh call, and each request is sent again as soon as it has both its refusal
 * and the new token. With the expiry known, it refreshes once and then sends.
 *
 * "Sent again" means the refused request itself: its config (method, URL, body, headers) is kept
 * until the token arrives, as any client must that replays requests it did not build. Rebuilding
 * these GETs from their path alone would hold about 560 bytes per waiting request instead of
 * about 1,750 (heap snapshot, 10,000 waiting), a saving only a client that knows every request
 * is a bodiless GET can make.
 */
export function floor(env, { token, expired = false }) {
  const instance = instanceFor(env);
  let calls = 0;
  let fresh;
  const refresh = () => {
    calls++;
    return instance.post('/token').then(({ data }) => data.access_token);
  };
  const get = (path, t) => instance.get(path, { headers: { Authorization: `Bearer ${t}` } });
  const sendTo = expired
    ? (path) => (fresh ??= refresh()).then((t) => get(path, t))
    : (path) =>
        get(path, token).catch((error) => {
          if (error?.response?.status !== 401) throw error;
          fresh ??= refresh();
          const { config } = error;
          return fresh.then((t) => {
            config.headers.set('Authorization', `Bearer ${t}`);
            return instance.request(config);
          });
        });
  return withSend({ instance, sendTo, refreshCalls: () => calls });
}

export const contenders = { plain, ours, peer, floor };
export const labels = {
  plain: 'plain axios',
  ours: 'axios-bearer-refresh',
  peer: 'axios-auth-refresh',
  floor: 'floor (hand-written)',
};
