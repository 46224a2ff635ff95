/** Connection test: the token can read the user it acts for (GET /users/me). */
export async function test({ apiClient }) {
  const response = await fetch(`${apiClient.baseUri}/users/me`, { headers: apiClient.headers })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`Zendesk answered ${response.status} to GET /users/me.`)
  }
  const body = await response.json()
  // An anonymous caller gets a user too, but without an id.
  return typeof body?.user?.id === 'number'
}
