import type { AxiosError, AxiosInstance } from 'axios';
import { createOriginPolicy } from './origins.js';
import { createRequestInterceptors } from './request.js';
import { createResponseInterceptor } from './response.js';
import { coreOf, createAuthSession } from './session.js';
import type { AttachOptions, AuthSession, AuthSessionOptions, BearerAuthHandle } from './types.js';

const attached = new WeakSet<object>();

const isUnauthorized = (error: AxiosError) => error.response?.status === 401;

function checkAttachOptions(options: AttachOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('attachBearerAuth: the third argument must be an options object.');
  }
  if (options.isRefusal !== undefined && typeof options.isRefusal !== 'function') {
    throw new TypeError('attachBearerAuth: `isRefusal` must be a function (error) => boolean.');
  }
  for (const name of ['headerName', 'scheme'] as const) {
    const value = options[name];
    if (
      value !== undefined &&
      (typeof value !== 'string' || !/^[!#$%&'*+\-.^\w`|~]+$/.test(value))
    ) {
      throw new TypeError(
        `attachBearerAuth: \`${name}\` must be a non-empty HTTP token such as 'Bearer'.`,
      );
    }
  }
}

/**
 * Installs the bearer interceptors on `instance`: a request side that attaches the token to
 * trusted origins and waits for a refresh in flight, and a response side that turns a refusal into
 * one shared refresh and one replay.
 *
 * Pass a session to share it (and its single refresh) between instances, or session options to
 * create one. Attaching twice to the same instance throws; `eject()` the first handle first.
 */
export function attachBearerAuth(
  instance: AxiosInstance,
  sessionOrOptions: AuthSession | AuthSessionOptions,
  attachOptions: AttachOptions = {},
): BearerAuthHandle {
  if (
    typeof instance?.request !== 'function' ||
    typeof instance.interceptors?.request?.use !== 'function'
  ) {
    throw new TypeError('attachBearerAuth: the first argument must be an axios instance.');
  }
  if (attached.has(instance)) {
    throw new TypeError(
      'attachBearerAuth: already attached to this instance; eject() the first handle first.',
    );
  }
  checkAttachOptions(attachOptions);
  const session = coreOf(sessionOrOptions)
    ? (sessionOrOptions as AuthSession)
    : createAuthSession(sessionOrOptions as AuthSessionOptions);
  const core = coreOf(session)!;
  const headerName = attachOptions.headerName ?? 'Authorization';
  const isTrusted = createOriginPolicy(instance.defaults, attachOptions.trustedOrigins);
  const request = createRequestInterceptors(core, isTrusted, {
    name: headerName,
    scheme: attachOptions.scheme ?? 'Bearer',
  });
  const onRejected = createResponseInterceptor(
    instance,
    core,
    isTrusted,
    attachOptions.isRefusal ?? isUnauthorized,
    headerName,
    request.prefix,
    request.sentEpochOf,
  );

  const ids = {
    immediate: instance.interceptors.request.use(request.immediate, undefined, {
      synchronous: true,
      runWhen: request.choosesImmediate,
    }),
    waiting: instance.interceptors.request.use(request.waiting, undefined, {
      runWhen: request.choosesWaiting,
    }),
    response: instance.interceptors.response.use(undefined, onRejected),
  };
  attached.add(instance);

  let ejected = false;
  return {
    session,
    eject() {
      if (ejected) return;
      ejected = true;
      instance.interceptors.request.eject(ids.immediate);
      instance.interceptors.request.eject(ids.waiting);
      instance.interceptors.response.eject(ids.response);
      attached.delete(instance);
    },
  };
}
