/**
 * Connection test: the token reads the member's OpenID Connect userinfo (GET /v2/userinfo, with
 * the openid and profile scopes).
 * https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
 */

/** The part of the API client handed to methods that this test uses. */
interface ApiClient {
  get(path: string, query?: Record<string, string>): Promise<unknown>
}

export async function test({ apiClient }: { apiClient: ApiClient }): Promise<boolean> {
  const userinfo = (await apiClient.get('/userinfo')) as { sub?: unknown } | null
  // `sub` is the member's identifier for this app.
  return typeof userinfo?.sub === 'string' && userinfo.sub !== ''
}
