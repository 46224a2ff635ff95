/**
 * `@integration-app/connector-sdk`, as far as connector auth methods use it: `RestApiClient`
 * and the error classes. Type-only imports (handler argument types) vanish at build time.
 */
export { RestApiClient, type FailedResponse, type RestApiClientOptions } from './rest-api-client.ts'
export * from './errors.ts'
