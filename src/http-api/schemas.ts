/**
 * The shapes the HTTP API receives and sends, as zod schemas: the routes validate requests
 * with them and the OpenAPI document is generated from them. Response schemas mirror the RPC
 * return types (ConnectionSummary, ConnectionPage, ...): `SchemasMatchRpcTypes` below fails the
 * build when one of those types changes and its schema does not.
 */
import { z } from '@hono/zod-openapi'
import type { AccessToken, DisconnectResult } from '../connection/connection-implementation.ts'
import type { ConnectionPage } from '../connection/connection-listing.ts'
import type { ConnectionSummary } from '../connection/connection-record.ts'
import type { ConnectorHealth } from '../registry/connector-health.ts'
import { AUTH_TYPES } from '../registry/types.ts'
import { PROBLEM_MEDIA_TYPE, ProblemSchema } from './problem.ts'

/** The `{id}` path parameter. Not checked for shape here: a malformed id answers `connection_not_found`, like an unknown one. */
export const ConnectionIdParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'A connection id (`conn_` + 26 base32 characters).', example: 'conn_abcdefghijklmnopqrstuvwxyz' }),
})

export const ConnectionSummarySchema = z
  .object({
    connectionId: z.string(),
    connectorKey: z.string(),
    authOption: z.string().nullable().openapi({ description: "The connector's auth option this connection uses (connectors with `options`)." }),
    tenant: z.string(),
    status: z.enum(['connected', 'needs_reauth', 'error']),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    testResult: z.object({ ok: z.boolean(), code: z.string().optional(), message: z.string().optional(), at: z.number() }).nullable(),
    createdAt: z.number().openapi({ description: 'ms since epoch' }),
    updatedAt: z.number(),
    lastRefreshedAt: z.number().nullable(),
    expiresAt: z.number().nullable().openapi({ description: 'When the access token expires (ms since epoch); null when it has no known expiry.' }),
    accountLabel: z.string().nullable().openapi({ description: 'Who is connected, to show (an email, login or name); null when the provider did not say.' }),
    accountId: z.string().nullable().openapi({ description: 'The provider account, stable; null when unknown.' }),
  })
  .openapi('ConnectionSummary', { description: 'A connection without its credentials or connection input.' })

export const ConnectionPageSchema = z
  .object({
    connections: z.array(ConnectionSummarySchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass it as `cursor` for the next page; null on the last page.' }),
  })
  .openapi('ConnectionPage')

export const ListConnectionsQuery = z.object({
  cursor: z.string().optional().openapi({ description: '`nextCursor` of the previous page.' }),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/)
    .optional()
    .openapi({ description: 'Connections per page: 1 to 1000 (default 100).', example: '100' }),
})

export const AccessTokenQuery = z.object({
  forceRefresh: z.enum(['true', 'false']).optional().openapi({ description: 'Refresh even if the token is not due yet.' }),
})

export const AccessTokenSchema = z
  .object({
    accessToken: z.string(),
    expiresAt: z.number().nullable().openapi({ description: 'ms since epoch; null when the token has no known expiry.' }),
  })
  .openapi('AccessToken')

export const CredentialsSchema = z
  .record(z.string(), z.unknown())
  .openapi('Credentials', { description: 'What is stored for the connection (token response plus connector fields), never the refresh token.' })

export const ConnectionInputSchema = z.record(z.string(), z.unknown()).openapi({ description: "What the connector's inputSchema asks for." })

export const CreateConnectUrlBody = z
  .strictObject({
    connectorKey: z.string().openapi({ example: 'github' }),
    connectionInput: ConnectionInputSchema.optional(),
    authOption: z.string().optional().openapi({ description: 'For a connector with several ways to connect: which one.' }),
    returnUrl: z.string().optional().openapi({ description: 'Where the user lands afterwards; its origin must be in ALLOWED_RETURN_ORIGINS.' }),
    connectionId: z.string().optional().openapi({ description: 'An existing connection of this tenant and connector to reconnect.' }),
    mode: z.enum(['redirect', 'popup']).optional(),
    displayName: z.string().optional().openapi({ description: 'Who the tenant is, as the person knows them: shown before the provider opens (S21).' }),
  })
  .openapi('CreateConnectUrlRequest')

export const ConnectUrlSchema = z
  .object({
    url: z.string().openapi({ description: 'One-time URL that starts the connect flow in the user’s browser.' }),
    expiresAt: z.number().openapi({ description: 'ms since epoch' }),
  })
  .openapi('ConnectUrl')

export const CreateConnectionBody = z
  .strictObject({
    connectorKey: z.string().openapi({ example: 'stripe' }),
    authOption: z.string().optional(),
    connectionInput: ConnectionInputSchema.openapi({ description: "Everything the connector's inputSchema asks for, secrets included (they never leave Latchkey again)." }),
    connectionId: z.string().optional().openapi({ description: 'An existing connection of this tenant and connector to give new credentials.' }),
  })
  .openapi('CreateConnectionRequest')

export const ConnectorSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    logoUri: z.string().nullable(),
    authTypes: z.array(z.enum(AUTH_TYPES)).openapi({ description: 'One per way to connect.' }),
    ready: z.boolean().openapi({ description: 'Its parameters let connections start.' }),
    problems: z
      .array(z.object({ variable: z.string(), code: z.enum(['missing', 'invalid']), message: z.string() }))
      .openapi({ description: 'Each Worker variable to set or fix (never its value); empty when ready.' }),
  })
  .openapi('Connector', { description: 'A compiled connector and whether it can run.' })

export const DisconnectResultSchema = z
  .object({
    connectionId: z.string(),
    connectorDisconnect: z
      .enum(['absent', 'succeeded', 'failed'])
      .openapi({ description: "The connector's disconnect method (e.g. token revocation): not present, ran, or threw." }),
  })
  .openapi('DisconnectResult')

/** A JSON response of `schema`. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string): { description: string; content: { 'application/json': { schema: T } } } {
  return { description, content: { 'application/json': { schema } } }
}

/** A JSON request body of `schema` (required). */
export function jsonBody<T extends z.ZodType>(schema: T): { required: true; content: { 'application/json': { schema: T } } } {
  return { required: true, content: { 'application/json': { schema } } }
}

/** The error responses a route documents: the guard's, plus `statuses` of its own. */
export function problemResponses<const S extends number>(...statuses: S[]): Record<400 | 401 | 403 | 429 | 500 | S, ProblemContent> {
  const responses: Record<number, ProblemContent> = {}
  for (const status of [400, 401, 403, ...statuses, 429, 500]) responses[status] = PROBLEM_RESPONSES[status] ?? problemContent('An error.')
  return responses as Record<400 | 401 | 403 | 429 | 500 | S, ProblemContent>
}

type ProblemContent = { description: string; content: { [PROBLEM_MEDIA_TYPE]: { schema: typeof ProblemSchema } } }

function problemContent(description: string): ProblemContent {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } }
}

const PROBLEM_RESPONSES: Readonly<Record<number, ProblemContent>> = {
  400: problemContent('`invalid_request` (a missing or malformed `Latchkey-Tenant` header, query or body), or the operation’s own 400 codes.'),
  401: problemContent('`api_key_required` or `invalid_api_key`, with `WWW-Authenticate: Bearer`.'),
  403: problemContent('`insufficient_scope` (the key lacks the scope) or `tenant_not_allowed` (the tenant is outside the key’s prefix).'),
  404: problemContent('`connection_not_found`: no such connection for this tenant (also another tenant’s), or `connector_not_found`.'),
  409: problemContent('`needs_reauth`: the user must reconnect.'),
  429: problemContent('`rate_limited`: this key’s rate limit, or the provider’s token endpoint; honour Retry-After.'),
  500: problemContent('`internal_error`, `server_misconfigured` or another deployment problem.'),
  502: problemContent('The provider or the connector failed (`refresh_failed`, `connection_test_failed`, ...).'),
  503: problemContent('`upstream_unavailable`: try again later.'),
}

/** Whether A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Assert<T extends true> = T

/** Compiles only while every response schema describes exactly the RPC type it mirrors. */
export type SchemasMatchRpcTypes = [
  Assert<Same<z.infer<typeof ConnectionSummarySchema>, ConnectionSummary>>,
  Assert<Same<z.infer<typeof ConnectionPageSchema>, ConnectionPage>>,
  Assert<Same<z.infer<typeof AccessTokenSchema>, AccessToken>>,
  Assert<Same<z.infer<typeof DisconnectResultSchema>, DisconnectResult>>,
  Assert<Same<z.infer<typeof ConnectorSchema>, ConnectorHealth>>,
]
