/**
 * Every Xero API call names an organisation in `xero-tenant-id`; the ones the token may reach
 * come from the connections endpoint, right after the code exchange
 * (https://developer.xero.com/documentation/guides/oauth2/auth-flow#5-check-the-tenants-youre-authorized-to-access).
 */
interface XeroConnection {
  tenantId: string
  tenantType: string
  tenantName: string
}

export default async function getCredentialsFromAccessTokenResponse({ tokenResponse }: { tokenResponse: Record<string, unknown> }) {
  const response = await fetch('https://api.xero.com/connections', {
    headers: { Authorization: `Bearer ${String(tokenResponse['access_token'])}`, 'Content-Type': 'application/json' },
  })
  if (!response.ok) throw new Error(`Xero connections answered ${response.status}`)
  const connections = (await response.json()) as XeroConnection[]
  const organisation = connections.find((connection) => connection.tenantType === 'ORGANISATION')
  if (!organisation) throw new Error('The token is not connected to any Xero organisation.')
  return { ...tokenResponse, tenantId: organisation.tenantId, tenantName: organisation.tenantName }
}
