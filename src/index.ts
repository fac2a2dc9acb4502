export { attachBearerAuth } from './attach.js';
export { createAuthSession } from './session.js';
export { memoryStore } from './stores/memory.js';
export {
  webStorageStore,
  type StorageLike,
  type WebStorageStoreOptions,
} from './stores/web-storage.js';
export { isInvalidTokenChallenge } from './challenge.js';
export { refreshTokenGrant, type RefreshTokenGrantOptions } from './oauth2/refresh-token-grant.js';
export {
  clientCredentials,
  type ClientCredentialsOptions,
  type ClientCredentialsSessionOptions,
} from './oauth2/client-credentials.js';
export type {
  ClientAuthentication,
  TokenEndpointOptions,
  TokenRequestParams,
} from './oauth2/token-endpoint.js';
export {
  BearerAuthError,
  ErrorCode,
  InvalidTokenResponseError,
  isBearerAuthError,
  isInvalidTokenResponseError,
  isNotReplayableError,
  isOAuthConfigurationError,
  isRefreshFailedError,
  isRefreshTimeoutError,
  isSessionEndedError,
  NotReplayableError,
  OAuthConfigurationError,
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
