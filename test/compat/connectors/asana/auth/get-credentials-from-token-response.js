// CommonJS, as in the connector-builder docs. Asana names the user a token acts for in the
// token response (`data`), so the credentials carry it without an extra API call. Written the
// way the docs' example is: it returns only the fields it needs; the expiry Latchkey derived
// from `expires_in` is not among them and stays with the connection.
// https://developers.asana.com/docs/oauth
exports.getCredentialsFromTokenResponse = async function ({ tokenResponse }) {
  const user = tokenResponse.data
  if (typeof user?.gid !== 'string' || user.gid === '') {
    throw new Error('The Asana token response named no user (data.gid): connect again.')
  }
  return {
    access_token: tokenResponse.access_token,
    refresh_token: tokenResponse.refresh_token,
    token_type: tokenResponse.token_type,
    userGid: user.gid,
    userName: user.name,
    userEmail: user.email,
  }
}
