/**
 * The error classes Membrane connectors import (`@integration-app/sdk/errors`,
 * `@integration-app/sdk`, `@membranehq/sdk`): the same names, keys and `data` shape, so a
 * connector's `throw new ConnectionError({key: ConnectionErrorKey.ACCESS_TOKEN_EXPIRED})`
 * and its `catch (e) { e.data?.data?... }` work unchanged. wrangler.toml `[alias]` and
 * vitest.config.ts `resolve.alias` point those package names here.
 */

/** Error types, as Membrane writes them in `error.data.type`. */
export enum ErrorType {
  BAD_REQUEST = 'bad_request',
  CONNECTION = 'connection',
  CONFIGURATION = 'configuration',
  DEPENDENCY_ERROR = 'dependency_error',
  CONCURRENCY = 'concurrency',
  INTERNAL = 'internal',
  CUSTOM_CODE = 'custom_code',
}

/** Keys of connection errors: each changes what Latchkey does (refresh, back off, ask the user). */
export enum ConnectionErrorKey {
  CONNECTION_IS_DEFUNCT = 'connection_is_defunct',
  ACCESS_TOKEN_EXPIRED = 'access_token_expired',
  RATE_LIMIT_EXCEEDED = 'rate_limit_exceeded',
}

/** Keys of bad-request errors. */
export enum BadRequestErrorKey {
  NOT_FOUND = 'not_found',
  NOT_AUTHENTICATED = 'not_authenticated',
  ACCESS_DENIED = 'access_denied',
  ALREADY_EXISTS = 'already_exists',
  RATE_LIMIT_EXCEEDED = 'rate_limit_exceeded',
}

/** What an error carries besides its message (`error.data`). */
export interface ErrorData {
  type?: string
  key?: string
  message: string
  data?: unknown
}

/** A message, an `ErrorData`-like object, or another error. */
export type ErrorArgument = string | (Partial<ErrorData> & { message?: string }) | Error

/** Base of every error a connector throws or receives the Membrane way. */
export class IntegrationAppError extends Error {
  readonly isIntegrationAppError = true as const
  readonly data: ErrorData

  constructor(argument: ErrorArgument, type?: ErrorType) {
    const data = errorData(argument)
    super(data.message)
    this.name = new.target.name
    this.data = { ...data, ...(type !== undefined && data.type === undefined && { type }) }
  }
}

export class InternalError extends IntegrationAppError {
  constructor(argument: ErrorArgument) {
    super(argument, ErrorType.INTERNAL)
  }
}

export class BadRequestError extends IntegrationAppError {
  constructor(argument: ErrorArgument) {
    super(argument, ErrorType.BAD_REQUEST)
  }
}

export class ConfigurationError extends IntegrationAppError {
  constructor(argument: ErrorArgument) {
    super(argument, ErrorType.CONFIGURATION)
  }
}

export class ConnectionError extends IntegrationAppError {
  constructor(argument: ErrorArgument) {
    super(argument, ErrorType.CONNECTION)
  }
}

export class CustomCodeError extends IntegrationAppError {
  constructor(argument: ErrorArgument) {
    super(argument, ErrorType.CUSTOM_CODE)
  }
}

export class NotFoundError extends BadRequestError {
  constructor(argument: ErrorArgument) {
    super(withKey(argument, BadRequestErrorKey.NOT_FOUND))
  }
}

export class RateLimitExceededError extends BadRequestError {
  constructor(argument: ErrorArgument) {
    super(withKey(argument, BadRequestErrorKey.RATE_LIMIT_EXCEEDED))
  }
}

export class NotAuthenticatedError extends BadRequestError {
  constructor(argument: ErrorArgument) {
    super(withKey(argument, BadRequestErrorKey.NOT_AUTHENTICATED))
  }
}

export class AccessDeniedError extends BadRequestError {
  constructor(argument: ErrorArgument) {
    super(withKey(argument, BadRequestErrorKey.ACCESS_DENIED))
  }
}

/** Whether `error` is one of these errors (also across module copies: the flag, not the class). */
export function isIntegrationAppError(error: unknown): error is IntegrationAppError {
  return typeof error === 'object' && error !== null && (error as { isIntegrationAppError?: unknown }).isIntegrationAppError === true
}

/** The key a thrown error carries (`error.data.key`), if it is one of these errors. */
export function errorKeyOf(error: unknown): string | null {
  if (!isIntegrationAppError(error)) return null
  const key = error.data.key
  return typeof key === 'string' && key !== '' ? key : null
}

function errorData(argument: ErrorArgument): ErrorData {
  if (typeof argument === 'string') return { message: argument }
  if (argument instanceof Error) return isIntegrationAppError(argument) ? { ...argument.data } : { message: argument.message }
  const { message, ...rest } = argument
  return { ...rest, message: typeof message === 'string' ? message : 'Error' }
}

function withKey(argument: ErrorArgument, key: string): ErrorArgument {
  if (typeof argument === 'string') return { message: argument, key }
  if (argument instanceof Error) return argument
  return { key, ...argument }
}
