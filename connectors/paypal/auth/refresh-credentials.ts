/**
 * PayPal access tokens: the OAuth 2.0 client-credentials grant at /v1/oauth2/token, the REST
 * app's client ID and secret in HTTP Basic, `grant_type=client_credentials` in the body.
 * https://developer.paypal.com/api/rest/authentication/
 *
 * Latchkey runs this when the connection is created (there is no access token yet) and again
 * before the token expires; what it returns is merged into the stored credentials. The helper
 * sends the token request, checks the answer and turns `expires_in` into `expires_at`. An
 * OAuth error answer comes back as `{ error }` (`invalid_client` for a wrong secret): Latchkey
 * then refuses the new connection, or marks a stored one as needing new credentials.
 */
import { clientCredentialsGrant } from 'latchkey:oauth2'

interface PayPalCredentials {
  clientId: string
  clientSecret: string
}

export function refreshCredentials(args: { connectionInput: { environment?: string }; credentials: PayPalCredentials }): Promise<Record<string, unknown>> {
  const origin = args.connectionInput.environment === 'sandbox' ? 'https://api-m.sandbox.paypal.com' : 'https://api-m.paypal.com'
  return clientCredentialsGrant({
    tokenUri: `${origin}/v1/oauth2/token`,
    clientId: args.credentials.clientId,
    clientSecret: args.credentials.clientSecret,
    // PayPal documents HTTP Basic client authentication (curl -u CLIENT_ID:CLIENT_SECRET).
    clientAuthLocation: 'headers',
  })
}
