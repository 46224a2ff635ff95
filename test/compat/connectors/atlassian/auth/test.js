// The user the token acts for (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/).
export async function test({ externalApiClient }) {
  const myself = await externalApiClient.get('/rest/api/3/myself')
  return typeof myself.accountId === 'string'
}
