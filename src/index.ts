export { attachBearerAuth } from './attach.js';
export { createAuthSession } from './session.js';
export { memoryStore } from './stores/memory.js';
export {
  webStorageStore,
  type StorageLike,
  type WebStorageStoreOptions,
} from './stores/web-storage.js';
export { isInvalidTokenChallenge } from './challenge.js';
export {
  BearerAuthError,
  ErrorCode,
  InvalidTokenResponseError,
  isBearerAuthError,
  isInvalidTokenResponseError,
  isNotReplayableError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  NotReplayableError,
  RefreshFailedError,
  RefreshTimeoutError,
  SessionEndedError,
  type SessionEndReason,
} from './errors.js';
export type {
  AttachOptions,
  AuthSession,
  AuthSessionOptions,
  BearerAuthHandle,
  RefreshContext,
  RefreshFailedEvent,
  RefreshFunction,
  RefreshResult,
  RefreshTrigger,
  ReplayEvent,
  SessionEndedEvent,
  StoreErrorEvent,
  TokenRefreshedEvent,
  TokenSet,
  TokenStore,
} from './types.js';
