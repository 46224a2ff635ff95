/**
 * Slack (OAuth v2 with token rotation), as documented:
 * - authorize https://slack.com/oauth/v2/authorize with comma-separated `scope` (bot scopes)
 *   and `user_scope` (https://docs.slack.dev/authentication/installing-with-oauth);
 * - token https://slack.com/api/oauth.v2.access: client credentials by HTTP Basic (recommended)
 *   or as form fields; answers `{ok: true, access_token: "xoxb-…", token_type: "bot", scope,
 *   bot_user_id, app_id, team, enterprise, authed_user}`, with rotation also `refresh_token`
 *   ("xoxe-1-…", replaced at each refresh) and `expires_in` (12 hours); errors are HTTP 200
 *   `{ok: false, error}` (https://docs.slack.dev/reference/methods/oauth.v2.access,
 *   https://docs.slack.dev/authentication/using-token-rotation);
 * - Web API https://slack.com/api/<method> with `Authorization: Bearer <token>`; a bad token
 *   is HTTP 200 `{ok: false, error: "invalid_auth"}`, an expired one `token_expired`
 *   (https://docs.slack.dev/reference/methods/auth.test).
 */
import { json } from './emulator.ts'
import { bearerToken, oauth2Provider, randomToken, type TokenError } from './oauth2-provider.ts'
import type { ProviderEmulator } from './emulator.ts'

/** The Slack app the compat project registers (client ids look like Slack's). */
export const SLACK_CLIENT = { id: '2141029472.691202649728', secret: 'e1b9e11dfcd19c1982d5de12921e17e8c' } as const

/** The workspace every emulated installation lands in. */
export const SLACK_TEAM = { id: 'T9TK3CUKW', name: 'Slack Softball Team' } as const

/** Slack's error codes for the token endpoint's failures. */
const TOKEN_ERRORS: Record<TokenError['error'], string> = {
  invalid_request: 'invalid_arguments',
  invalid_client: 'bad_client_secret',
  invalid_grant: 'invalid_code',
  unsupported_grant_type: 'invalid_grant_type',
}

/** A fresh Slack emulator. */
export function slack(): ProviderEmulator {
  return oauth2Provider({
    key: 'slack',
    hosts: ['slack.com'],
    client: SLACK_CLIENT,
    authorizeUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    clientAuthentication: 'basic_or_post',
    accessTokenLifetime: 43_200,
    refreshTokens: 'rotating',
    checkAuthorize: (query) => (query.has('scope') && /\s/.test(query.get('scope') ?? '') ? 'scope must be comma-separated' : null),
    newAccessToken: () => `xoxe.xoxb-1-${randomToken(24)}`,
    newRefreshToken: () => `xoxe-1-${randomToken(24)}`,
    tokenResponse: ({ grant, accessToken, refreshToken, expiresIn }) => ({
      ok: true,
      app_id: 'A0KRD7HC3',
      authed_user: { id: 'U1234', scope: grant.authorizeQuery['user_scope'] ?? '', access_token: `xoxp-${randomToken(16)}`, token_type: 'user' },
      scope: grant.scope,
      token_type: 'bot',
      access_token: accessToken,
      bot_user_id: 'U0KRQLJ9H',
      refresh_token: refreshToken,
      expires_in: expiresIn,
      team: SLACK_TEAM,
      enterprise: null,
      is_enterprise_install: false,
    }),
    tokenError: (error) => json(200, { ok: false, error: TOKEN_ERRORS[error.error] }),
    accessTokenOf: bearerToken,
    rejectToken: (reason) => json(200, { ok: false, error: reason === 'expired' ? 'token_expired' : reason === 'missing' ? 'not_authed' : 'invalid_auth' }),
    api: [
      // Web API methods take GET or POST alike.
      { method: 'GET', url: 'https://slack.com/api/auth.test', handle: authTest },
      { method: 'POST', url: 'https://slack.com/api/auth.test', handle: authTest },
      {
        method: 'GET',
        url: 'https://slack.com/api/conversations.list',
        handle: () => json(200, { ok: true, channels: [{ id: 'C012AB3CD', name: 'general', is_channel: true }], response_metadata: { next_cursor: '' } }),
      },
    ],
  })
}

/** auth.test's answer for the bot token (https://docs.slack.dev/reference/methods/auth.test). */
function authTest(): Response {
  return json(200, {
    ok: true,
    url: 'https://slacksoftball.slack.com/',
    team: SLACK_TEAM.name,
    user: 'softball-bot',
    team_id: SLACK_TEAM.id,
    user_id: 'U0KRQLJ9H',
    bot_id: 'B0KRQLJ9H',
    is_enterprise_install: false,
  })
}
