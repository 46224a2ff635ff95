/**
 * Strava (API application), as documented in https://developers.strava.com/docs/authentication/:
 * - authorize https://www.strava.com/oauth/authorize with `scope` "a comma delimited string"
 *   and `approval_prompt` (force or auto);
 * - token https://www.strava.com/oauth/token with client_id and client_secret as parameters;
 *   the code exchange answers `{token_type: "Bearer", expires_at (epoch SECONDS), expires_in
 *   (6 hours), refresh_token, access_token, athlete}`, a refresh the same without `athlete`;
 *   "the refresh token ... may or may not be the same": the newest one must be used;
 * - errors are Strava's fault objects `{message, errors: [{resource, field, code}]}`, never
 *   RFC 6749 ones (https://developers.strava.com/docs/reference/#api-models-Fault);
 * - API https://www.strava.com/api/v3 with `Authorization: Bearer`; GET /athlete
 *   (https://developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete); a bad token
 *   is 401 `{message: "Authorization Error", errors: [{resource: "Athlete", field: "access_token", code: "invalid"}]}`.
 */
import { json } from './emulator.ts'
import type { ProviderEmulator } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken, type TokenError } from './oauth2-provider.ts'

/** The Strava application the compat project registers (Strava client ids are small numbers). */
export const STRAVA_CLIENT = { id: '54321', secret: '9c1f4e7a2b8d5c3e6f0a1b4d7e9c2f5a8b3d6e1c' } as const

/** The athlete every authorization is made by (summary representation). */
export const STRAVA_ATHLETE = {
  id: 134815,
  username: 'marianne_t',
  resource_state: 2,
  firstname: 'Marianne',
  lastname: 'T.',
  city: 'San Francisco',
  country: 'US',
  sex: 'F',
  premium: true,
} as const

/** Access tokens last 6 hours. */
export const STRAVA_EXPIRES_IN = 21_600

/** Strava's fault for each token endpoint failure. */
const TOKEN_FAULTS: Record<TokenError['error'], { resource: string; field: string }> = {
  invalid_request: { resource: 'Request', field: 'grant_type' },
  invalid_client: { resource: 'Application', field: 'client_id' },
  invalid_grant: { resource: 'RefreshToken', field: 'refresh_token' },
  unsupported_grant_type: { resource: 'Request', field: 'grant_type' },
}

/** A fresh Strava emulator. */
export function strava(): ProviderEmulator {
  return oauth2Provider({
    key: 'strava',
    hosts: ['www.strava.com'],
    client: STRAVA_CLIENT,
    // No `scope` binding: the connector's parametersSchema default applies.
    authorizeUrl: 'https://www.strava.com/oauth/authorize',
    tokenUrl: 'https://www.strava.com/oauth/token',
    clientAuthentication: 'client_secret_post',
    accessTokenLifetime: STRAVA_EXPIRES_IN,
    refreshTokens: 'rotating',
    checkAuthorize: (query) => {
      const scope = query.get('scope') ?? ''
      if (scope === '' || /\s/.test(scope)) return 'scope must be a comma delimited string'
      const prompt = query.get('approval_prompt')
      return prompt !== null && prompt !== 'auto' && prompt !== 'force' ? 'approval_prompt must be force or auto' : null
    },
    newAccessToken: () => randomToken(30),
    newRefreshToken: () => randomToken(30),
    tokenResponse: ({ grantType, accessToken, refreshToken, expiresIn }) => ({
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) + (expiresIn ?? 0),
      expires_in: expiresIn,
      refresh_token: refreshToken,
      access_token: accessToken,
      ...(grantType === 'authorization_code' ? { athlete: STRAVA_ATHLETE } : {}),
    }),
    tokenError: (error) => json(error.status, { message: 'Bad Request', errors: [{ ...TOKEN_FAULTS[error.error], code: 'invalid' }] }),
    accessTokenOf: bearerToken,
    rejectToken: () => json(401, { message: 'Authorization Error', errors: [{ resource: 'Athlete', field: 'access_token', code: 'invalid' }] }),
    api: [
      {
        method: 'GET',
        url: 'https://www.strava.com/api/v3/athlete',
        handle: () => json(200, { ...STRAVA_ATHLETE, resource_state: 3, follower_count: 5, friend_count: 5, measurement_preference: 'feet', ftp: null, weight: 0 }),
      },
      {
        method: 'GET',
        url: 'https://www.strava.com/api/v3/athlete/activities',
        handle: () =>
          json(200, [{ resource_state: 2, athlete: { id: STRAVA_ATHLETE.id, resource_state: 1 }, name: 'Happy Friday', distance: 24931.4, type: 'Ride', id: 154504250376823 }]),
      },
    ],
  })
}
