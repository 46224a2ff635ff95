/**
 * Notion refresh: the same JSON body and HTTP Basic client authentication as the code
 * exchange. Notion rotates the refresh token on every refresh.
 * https://developers.notion.com/reference/refresh-a-token
 */
export async function refreshCredentials(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const connectorParameters = args.connectorParameters as Record<string, unknown>
  const credentials = args.credentials as Record<string, unknown>
  const clientId = requiredString(connectorParameters.clientId, 'connectorParameters.clientId')
  const clientSecret = requiredString(connectorParameters.clientSecret, 'connectorParameters.clientSecret')
  if (typeof credentials.refresh_token !== 'string' || credentials.refresh_token === '') {
    throw new Error('This Notion connection has no refresh token: connect again.')
  }
  const response = await fetch('https://api.notion.com/v1/oauth/token', {
    method: 'POST',
    headers: {
      Authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'Notion-Version': '2026-03-11',
    },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: credentials.refresh_token }),
  })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`Notion refused the token refresh with HTTP ${response.status}: connect again if it persists.`)
  }
  const refreshed = (await response.json()) as Record<string, unknown>
  return {
    ...refreshed,
    // A refresh response without a new refresh token keeps the old one.
    refresh_token: refreshed.refresh_token ?? credentials.refresh_token,
    ...(typeof refreshed.expires_in === 'number' ? { expires_at: Date.now() + refreshed.expires_in * 1000 } : {}),
  }
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`Notion refreshCredentials needs ${name}.`)
  return value
}
