/**
 * Connection test: the token reads the authenticated athlete (GET /api/v3/athlete), the one
 * the code exchange returned.
 * https://developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete
 */
export default async function test({ externalApiClient, credentials }) {
  const athlete = await externalApiClient.get('/athlete')
  return typeof athlete?.id === 'number' && athlete.id === credentials.athlete?.id
}
