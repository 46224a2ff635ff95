/**
 * Keeps the token response as credentials after checking `instance_url`: it becomes the host
 * of every API call that carries the access token, so it must be an https origin.
 */
export function getCredentialsFromAccessTokenResponse(args: Record<string, unknown>): Record<string, unknown> {
  const tokenResponse = args.tokenResponse as Record<string, unknown>
  return { ...tokenResponse, instance_url: httpsOrigin(tokenResponse.instance_url) }
}

function httpsOrigin(value: unknown): string {
  const url = parseUrl(value)
  if (!url || url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new Error('The Salesforce token response carried no https instance_url: connect again.')
  }
  return url.origin
}

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string') return null
  try {
    return new URL(value)
  } catch {
    return null
  }
}
