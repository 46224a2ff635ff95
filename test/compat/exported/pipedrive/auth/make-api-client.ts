/** Written for Latchkey in the older layout's style: the API token travels as a query parameter. */
import { RestApiClient } from '@integration-app/connector-sdk'

export default function makeApiClient({ credentials }: { credentials: { api_token: string } }) {
  return new RestApiClient({ baseUri: 'https://api.pipedrive.com/v1', query: { api_token: credentials.api_token } })
}
