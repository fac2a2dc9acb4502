import type { AuthSessionOptions } from './types.js';

/** Checks `createAuthSession`'s options up front; a bad one throws a `TypeError` naming it. */
export function checkOptions(options: AuthSessionOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createAuthSession: options must be an object.');
  }
  if (typeof options.refresh !== 'function') {
    throw new TypeError(
      'createAuthSession: `refresh` must be a function (current tokens) => Promise<new tokens>.',
    );
  }
  const durations = ['refreshTimeout', 'refreshLeeway'] as const;
  for (const name of durations) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value < 2 ** 31)) {
      throw new TypeError(
        `createAuthSession: \`${name}\` must be a number of ms from 0 to 2^31-1.`,
      );
    }
  }
  const store = options.store;
  if (
    store !== undefined &&
    !(store && ['get', 'set', 'clear'].every((m) => typeof (store as never)[m] === 'function'))
  ) {
    throw new TypeError('createAuthSession: `store` must have get, set and clear methods.');
  }
  if (options.crossTab && !store) {
    throw new TypeError(
      'createAuthSession: `crossTab` needs a shared `store`, e.g. webStorageStore().',
    );
  }
}
