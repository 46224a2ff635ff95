/**
 * Written for Latchkey in the older layout's style: the SDK's RestApiClient, with an onError
 * hook that turns Pipedrive's 401 into the platform's access_token_expired.
 */
import { RestApiClient } from '@integration-app/connector-sdk'
import { ConnectionError, ConnectionErrorKey } from '@integration-app/sdk/errors'

export default function makeApiClient({ credentials }: { credentials: { access_token: string; api_domain?: string } }) {
  return new RestApiClient({
    baseUri: `${credentials.api_domain ?? 'https://api.pipedrive.com'}/v1`,
    headers: { Authorization: `Bearer ${credentials.access_token}` },
    onError: (error: { response: { status: number } }) => {
      if (error.response.status === 401) {
        throw new ConnectionError({ message: 'Access token has expired', key: ConnectionErrorKey.ACCESS_TOKEN_EXPIRED })
      }
    },
  })
}
