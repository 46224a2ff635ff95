/**
 * Written for Latchkey (the export references this file without containing it): the token
 * response plus the organisation the user connected, which Xero lists at /connections.
 */
export default async function getCredentialsFromAccessTokenResponse({ tokenResponse }: { tokenResponse: { access_token: string } }): Promise<Record<string, unknown>> {
  const response = await fetch('https://api.xero.com/connections', {
    headers: { Authorization: `Bearer ${tokenResponse.access_token}`, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(`Xero /connections answered ${response.status}`)
  const connections = (await response.json()) as Array<{ tenantId?: string }>
  return { ...tokenResponse, tenantId: connections[0]?.tenantId }
}
