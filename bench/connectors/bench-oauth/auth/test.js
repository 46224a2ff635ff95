/** Connection test: the API answers the access token. */
export default async function test({ apiClient }) {
  const response = await fetch(`${apiClient.baseUri}/me`, { headers: apiClient.headers })
  await response.body?.cancel()
  return response.ok
}
