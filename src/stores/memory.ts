import type { TokenSet, TokenStore } from '../types.js';

/** Keeps tokens in memory only: they are gone when the page or process ends. The default. */
export function memoryStore(): TokenStore {
  let tokens: TokenSet | null = null;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
    clear: () => {
      tokens = null;
    },
  };
}
