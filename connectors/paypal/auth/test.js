/**
 * Connection test: a cheap authenticated read, the app's webhooks (GET /v1/notifications/webhooks).
 * https://developer.paypal.com/docs/api/webhooks/v1/#webhooks_list
 */
export async function test({ externalApiClient }) {
  const result = await externalApiClient.get('/v1/notifications/webhooks')
  return Array.isArray(result?.webhooks)
}
