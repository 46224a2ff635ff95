/** Written for Latchkey (the export references this file without containing it). */
export default function makeApiClient({ credentials, connectionInput }) {
  return {
    baseUri: connectionInput?.is_demo === true ? 'https://api.gusto-demo.com' : 'https://api.gusto.com',
    headers: {
      Authorization: `Bearer ${credentials.access_token}`,
      Accept: 'application/json',
    },
  }
}
