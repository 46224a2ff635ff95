/**
 * A 3LO token is not bound to a site: the sites it may reach, and their cloud ids, come from
 * accessible-resources; API calls go to https://api.atlassian.com/ex/jira/{cloudId}
 * (https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#3-1-get-the-cloudid-for-your-site).
 */
export default async function getCredentialsFromAccessTokenResponse({ tokenResponse }) {
  const response = await fetch('https://api.atlassian.com/oauth/token/accessible-resources', {
    headers: { Authorization: `Bearer ${tokenResponse.access_token}`, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(`accessible-resources answered ${response.status}`)
  const [site] = await response.json()
  if (!site) throw new Error('The token reaches no Atlassian site.')
  return { ...tokenResponse, cloudId: site.id, siteUrl: site.url }
}
