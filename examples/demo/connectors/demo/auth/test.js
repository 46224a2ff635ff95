/** Connection test: the server's userinfo endpoint (its protected resource) accepts the access token. */
export default async function test({ apiClient }) {
  const response = await fetch(`${apiClient.baseUri}/me`, { headers: apiClient.headers })
  const userinfo = response.ok ? await response.json() : null
  return typeof userinfo?.sub === 'string'
}
