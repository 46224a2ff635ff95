/**
 * Written for Latchkey (the export references this file without containing it): QuickBooks
 * names the company in the callback query (realmId); the connection input (the export's
 * top-level ui form) says whether it is a sandbox company.
 */
export default async function getCredentialsFromAccessTokenResponse({ tokenResponse, request, connectionInput }) {
  return { ...tokenResponse, realmId: request.query.realmId, isSandbox: connectionInput?.isSandbox === true }
}
