/**
 * Notion code exchange: a JSON body and HTTP Basic client authentication, which the default
 * form-encoded exchange does not send. https://developers.notion.com/reference/create-a-token
 */
export default async function getTokenData(args: Record<string, unknown>): Promise<unknown> {
  const connectorParameters = args.connectorParameters as Record<string, unknown>
  const queryParameters = args.queryParameters as Record<string, unknown>
  const clientId = requiredString(connectorParameters.clientId, 'connectorParameters.clientId')
  const clientSecret = requiredString(connectorParameters.clientSecret, 'connectorParameters.clientSecret')
  const response = await fetch('https://api.notion.com/v1/oauth/token', {
    method: 'POST',
    headers: {
      Authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'Notion-Version': '2026-03-11',
    },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      code: requiredString(queryParameters.code, 'queryParameters.code'),
      redirect_uri: requiredString(args.redirectUri, 'redirectUri'),
    }),
  })
  if (!response.ok) {
    // The body may quote what was sent: it stays out of the message.
    await response.body?.cancel()
    throw new Error(`Notion refused the code exchange with HTTP ${response.status}: check NOTION__CLIENT_ID, NOTION__CLIENT_SECRET and the redirect URI, then connect again.`)
  }
  return await response.json()
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`Notion getTokenData needs ${name}.`)
  return value
}
