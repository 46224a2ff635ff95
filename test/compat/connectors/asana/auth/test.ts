/**
 * Connection test: the token reads the user it acts for (GET /api/1.0/users/me), the same user
 * the token response named.
 * https://developers.asana.com/reference/getuser
 */

/** The part of the API client handed to methods that this test uses. */
interface ApiClient {
  get(path: string, query?: Record<string, string>): Promise<unknown>
}

export default async function test({ apiClient, credentials }: { apiClient: ApiClient; credentials: Record<string, unknown> }): Promise<boolean> {
  const body = (await apiClient.get('/users/me')) as { data?: { gid?: unknown } } | null
  return typeof body?.data?.gid === 'string' && body.data.gid === credentials['userGid']
}
