/** Connection test: the token can list the REST resources of the API version (GET /services/data/vXX.X/). */
export async function test({ apiClient }) {
  const response = await fetch(`${apiClient.baseUri}/`, { headers: apiClient.headers })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`Salesforce answered ${response.status} to GET ${new URL(apiClient.baseUri).pathname}/.`)
  }
  const resources = await response.json()
  return typeof resources?.sobjects === 'string'
}
