/**
 * Written for Latchkey (the export references this file without containing it): the token
 * response plus the email of the Google account, to tell connections apart.
 */
export default async function getCredentialsFromAccessTokenResponse({ tokenResponse }: { tokenResponse: { access_token: string } }): Promise<Record<string, unknown>> {
  const response = await fetch('https://www.googleapis.com/oauth2/v3/userinfo', {
    headers: { Authorization: `Bearer ${tokenResponse.access_token}` },
  })
  const user = response.ok ? ((await response.json()) as { email?: string }) : {}
  return { ...tokenResponse, email: user.email }
}
