/**
 * Shopify (authorization code grant of a non-embedded app), as documented at
 * https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant:
 * - every URL is on the merchant's shop: https://{shop}.myshopify.com/admin/oauth/authorize and
 *   /admin/oauth/access_token; `scope` is comma-separated; no PKCE;
 * - the callback carries `code`, `hmac`, `host`, `shop`, `state` and `timestamp`;
 * - the code exchange takes client_id and client_secret in the body and answers an offline
 *   token `{access_token: "shpat_…", scope}`: no token_type, no expiry, no refresh token;
 * - the Admin API reads the token from `X-Shopify-Access-Token`; a bad token is 401
 *   `{errors: "[API] Invalid API key or access token (unrecognized login or wrong password)"}`
 *   (https://shopify.dev/docs/api/admin-rest#authentication).
 */
import { json, type ProviderEmulator } from './emulator.ts'
import { oauth2Provider } from './oauth2-provider.ts'

/** The app the compat project registers in the Partner Dashboard. */
export const SHOPIFY_CLIENT = { id: '3f0a5c1e8b7d6a2f9c4e1b0d7a6f5e4d', secret: 'shpss_shopify-compat-secret' } as const

/** A fresh Shopify emulator; tokens are valid on the shop they were issued for only. */
export function shopify(): ProviderEmulator {
  return oauth2Provider({
    key: 'shopify',
    hosts: ['*.myshopify.com'],
    client: SHOPIFY_CLIENT,
    authorizeUrl: 'https://{shop}.myshopify.com/admin/oauth/authorize',
    tokenUrl: 'https://{shop}.myshopify.com/admin/oauth/access_token',
    clientAuthentication: 'client_secret_post',
    acceptsJsonTokenRequest: true,
    accessTokenLifetime: null,
    refreshTokens: 'none',
    checkAuthorize: (query) => (/\s/.test(query.get('scope') ?? '') ? 'scope must be comma-separated' : null),
    callbackParameters: (grant) => ({
      hmac: randomHex(32),
      host: btoa(`admin.shopify.com/store/${grant.params['shop']}`).replace(/=+$/, ''),
      shop: `${grant.params['shop']}.myshopify.com`,
      timestamp: String(Math.floor(Date.now() / 1000)),
    }),
    newAccessToken: () => `shpat_${randomHex(16)}`,
    tokenResponse: ({ grant, accessToken }) => ({ access_token: accessToken, scope: grant.scope }),
    accessTokenOf: (request) => request.headers.get('X-Shopify-Access-Token'),
    rejectToken: () => json(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }),
    api: [
      {
        method: 'GET',
        url: 'https://{shop}.myshopify.com/admin/api/2025-01/shop.json',
        handle: ({ grant, params }) =>
          params['shop'] === grant.params['shop']
            ? json(200, {
                shop: {
                  id: 690933842,
                  name: 'Compat Store',
                  email: 'owner@example.com',
                  domain: `${params['shop']}.myshopify.com`,
                  myshopify_domain: `${params['shop']}.myshopify.com`,
                },
              })
            : wrongShop(),
      },
      {
        method: 'GET',
        url: 'https://{shop}.myshopify.com/admin/api/2025-01/products.json',
        handle: ({ grant, params }) => (params['shop'] === grant.params['shop'] ? json(200, { products: [{ id: 632910392, title: 'IPod Nano - 8GB' }] }) : wrongShop()),
      },
    ],
  })
}

/** A token used on another shop than its own is unknown there. */
function wrongShop(): Response {
  return json(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' })
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
