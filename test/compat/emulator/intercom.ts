/**
 * Intercom (public app OAuth), as documented:
 * - authorize https://app.intercom.com/oauth takes client_id, state and redirect_uri; the
 *   permissions are set on the app, not requested (https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth);
 * - token https://api.intercom.io/auth/eagle/token with code, client_id and client_secret as
 *   POST parameters; the answer is `{token_type: "Bearer", token, access_token}`: no expiry, no
 *   refresh token ("Intercom access tokens do not expire");
 * - REST API on api.intercom.io, or pinned to a region on api.eu.intercom.io / api.au.intercom.io
 *   (https://developers.intercom.com/building-apps/docs/rest-apis), `Authorization: Bearer`,
 *   version chosen by the `Intercom-Version` header
 *   (https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/update-your-api-version);
 *   GET /me identifies the admin (https://developers.intercom.com/docs/references/rest-api/api.intercom.io/admins/identifyadmin);
 *   a bad token is 401 `{type: "error.list", errors: [{code: "unauthorized"}]}`.
 */
import { json, type EmulatedRequest } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken, type ApiRoute } from './oauth2-provider.ts'

/** The Intercom app the compat project registers (Intercom client ids are UUIDs). */
export const INTERCOM_CLIENT = { id: '7d2f5a1c-3b8e-4f6a-9c0d-2e1b4a5f6c7d', secret: '3f9a8b7c-6d5e-4f3a-2b1c-0d9e8f7a6b5c' } as const

/** The admin who installs the app, as GET /me shows them. */
export const INTERCOM_ADMIN = { type: 'admin', id: '991267464', name: 'Ciaran Lee', email: 'admin@example.com' } as const

/** API versions Intercom answers to in the `Intercom-Version` header (the reference's enum). */
const API_VERSIONS = ['2.9', '2.10', '2.11', '2.12', '2.13', '2.14', 'Preview']

/** A fresh Intercom emulator. */
export function intercom(): ProviderEmulator {
  return oauth2Provider({
    key: 'intercom',
    hosts: ['app.intercom.com', 'api.intercom.io', 'api.eu.intercom.io', 'api.au.intercom.io'],
    client: INTERCOM_CLIENT,
    authorizeUrl: 'https://app.intercom.com/oauth',
    tokenUrl: 'https://api.intercom.io/auth/eagle/token',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: null,
    refreshTokens: 'none',
    newAccessToken: () => `dG9rOj${randomToken(30)}`,
    tokenResponse: ({ accessToken }) => ({ token_type: 'Bearer', token: accessToken, access_token: accessToken }),
    accessTokenOf: bearerToken,
    rejectToken: () => json(401, { type: 'error.list', request_id: `req-${randomToken(8)}`, errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] }),
    api: ['api.intercom.io', 'api.eu.intercom.io', 'api.au.intercom.io'].flatMap((host): ApiRoute[] => [
      { method: 'GET', url: `https://${host}/me`, handle: ({ request }) => versioned(request, () => json(200, me(host))) },
      {
        method: 'GET',
        url: `https://${host}/admins`,
        handle: ({ request }) =>
          versioned(request, () =>
            json(200, { type: 'admin.list', admins: [{ ...INTERCOM_ADMIN, away_mode_enabled: false, away_mode_reassign: false, has_inbox_seat: true, team_ids: [] }] }),
          ),
      },
    ]),
  })
}

/** An unknown `Intercom-Version` is refused the way Intercom refuses it; no header means the app's version. */
function versioned(request: EmulatedRequest, answer: () => Response): Response {
  const version = request.headers.get('Intercom-Version')
  if (version !== null && !API_VERSIONS.includes(version)) {
    return json(400, {
      type: 'error.list',
      request_id: `req-${randomToken(8)}`,
      errors: [{ code: 'intercom_version_invalid', message: 'The requested version could not be found' }],
    })
  }
  return answer()
}

/** GET /me: the admin with the workspace ("app") they belong to, in the region of `host`. */
function me(host: string): Record<string, unknown> {
  const region = host === 'api.eu.intercom.io' ? 'EU' : host === 'api.au.intercom.io' ? 'AU' : 'US'
  return {
    ...INTERCOM_ADMIN,
    email_verified: true,
    app: { type: 'app', id_code: 'ecahpwf5', name: 'ProjectMap', created_at: 1719492696, secure: false, identity_verification: false, timezone: 'America/Los_Angeles', region },
    avatar: { type: 'avatar', image_url: 'https://static.intercomassets.com/assets/default-avatars/admins/128.png' },
    has_inbox_seat: true,
  }
}
