/**
 * Written for Latchkey in the older layout's style (this commit's spec.yml has no auth
 * section; auth/ is the whole definition). `appParameters` is the oldest name of
 * `connectorParameters`. Endpoints: https://pipedrive.readme.io/docs/marketplace-oauth-authorization
 */
export default async ({ appParameters }: { appParameters: { clientId: string; clientSecret: string } }) => {
  return {
    authorizeUri: 'https://oauth.pipedrive.com/oauth/authorize',
    tokenUri: 'https://oauth.pipedrive.com/oauth/token',
    clientId: appParameters.clientId,
    clientSecret: appParameters.clientSecret,
    clientAuthLocation: 'headers',
  }
}
