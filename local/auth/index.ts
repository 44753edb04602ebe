export { checkAuthorizeRequest } from './authorize';
export { clientOrigins, type LocalAppClient, localAppClients } from './clients';
export { CODE_TTL_MS, createGrantStore, type GrantStore } from './grants';
export {
  LOCAL_CLIENT_ID,
  LOCAL_CONSOLE_CLIENT_ID,
  type LocalIssuer,
  type LocalUser,
  localIssuer,
  localUser,
} from './issuer';
export { type AuthServiceOptions, createAuthService, discoveryDocument, SESSION_COOKIE } from './service';
export { s256 } from './token';
