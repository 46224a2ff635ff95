/** Connection test: the token can read the authenticated user (GET /user). */
export default async function test({ apiClient }) {
  const response = await fetch(`${apiClient.baseUri}/user`, { headers: apiClient.headers })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`GitHub answered ${response.status} to GET /user.`)
  }
  const user = await response.json()
  return typeof user?.login === 'string'
}
