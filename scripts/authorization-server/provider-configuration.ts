/**
 * The oidc-provider configuration of Latchkey's local authorization server: static
 * confidential clients, PKCE S256 required, refresh tokens rotated on every use, opaque
 * tokens, the server's own sign-in and consent pages (interaction-routes.ts: any login name,
 * any password), demo accounts with a name and an email (demo-account.ts) and an RS256
 * signing key made at start so id_tokens are real.
 */
import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import type { ClientMetadata, Configuration } from 'oidc-provider'
import { findDemoAccount } from './demo-account.ts'
import { interactionPath } from './interaction-routes.ts'

/** A static client registered at the server. */
export interface AuthorizationServerClient {
  clientId: string
  clientSecret: string
  /** How the client authenticates at the token endpoint (RFC 6749 section 2.3.1). */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post'
  /** Exact redirect URIs (e.g. `${PUBLIC_BASE_URL}/oauth/callback`). */
  redirectUris: string[]
}

/** Refresh tokens (and the grants behind them) live two weeks. */
const REFRESH_TOKEN_TTL_SECONDS = 14 * 24 * 3600

/**
 * Builds the configuration; access tokens live `accessTokenTtlSeconds`. Refresh tokens are
 * issued the standard OIDC way: the authorize request must ask for `offline_access` and
 * carry `prompt=consent`. The userinfo endpoint answers `{sub}`, `sub` being the login name,
 * plus `name` with scope `profile` and `email` with scope `email`; the id_token carries them
 * too (`conformIdTokenClaims: false`), so a client that asks for them learns who connected
 * without a userinfo call.
 */
export async function providerConfiguration(clients: AuthorizationServerClient[], accessTokenTtlSeconds: number): Promise<Configuration> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...(await exportJWK(privateKey)), kid: `local-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' }
  return {
    clients: clients.map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    rotateRefreshToken: true,
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { acr: null, sid: null, auth_time: null, iss: null, openid: ['sub'], profile: ['name'], email: ['email'] },
    conformIdTokenClaims: false,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    ...demoAccountsAndPages(accessTokenTtlSeconds),
  }
}

/**
 * What every authorization server of the demo and the tests shares: its own sign-in and consent
 * views, the demo accounts, token lifetimes, and errors as JSON (readable by tests driving a flow
 * with fetch).
 */
export function demoAccountsAndPages(accessTokenTtlSeconds: number): Pick<Configuration, 'interactions' | 'ttl' | 'findAccount' | 'renderError'> {
  return {
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid) },
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      Grant: REFRESH_TOKEN_TTL_SECONDS,
      Interaction: 600,
      Session: 3600,
    },
    findAccount: findDemoAccount,
    renderError: (ctx, out) => {
      ctx.type = 'json'
      ctx.body = out
    },
  }
}

function clientMetadata(client: AuthorizationServerClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    redirect_uris: client.redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  }
}
