// CommonJS, as in the connector-builder docs. Intuit names the connected company in the
// callback query (`realmId`), not in the token response; every API path starts with it.
exports.getCredentialsFromTokenResponse = async function ({ connectionInput, request, tokenResponse }) {
  const realmId = request.query.realmId
  // It becomes part of every API URL path: accept digits only.
  if (typeof realmId !== 'string' || !/^[0-9]{1,32}$/.test(realmId)) {
    throw new Error('The QuickBooks callback carried no valid realmId: connect again from the QuickBooks consent screen.')
  }
  return { ...tokenResponse, realmId, isSandbox: connectionInput.sandbox === true }
}
