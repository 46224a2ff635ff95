/**
 * Connection test of both options: the credentials read the user they act for
 * (GET /v1/users/me), with Pipedrive's `success` flag set.
 * https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser
 */
export async function test({ apiClient }) {
  const result = await apiClient.get('/users/me')
  return result?.success === true && typeof result.data?.id === 'number'
}
