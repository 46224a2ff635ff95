/** Connection test: the token can list the REST resources of the API version (GET /services/data/vXX.X/). */
export async function test({ apiClient }) {
  const resources = await apiClient.get('/')
  return typeof resources?.sobjects === 'string'
}
