/**
 * What the flows hand the connection object's `createTestedConnection`: the authorized
 * connection (authorized-connection.ts) and what a flow knows beyond it (the account of a
 * validated id_token, what a failing test does), or, between two connection objects, the
 * credentials of an account the tenant already has a connection for. It crossed RPC, so it is
 * checked field by field like any input.
 */
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { validateAuthorizedConnection, type AuthorizedConnectionInput, type CheckedConnectionInput } from './authorized-connection.ts'
import { checkedAccount, type ConnectionAccount } from './connection-account.ts'
import type { ConnectionTestResult } from './connection-record.ts'

/** What a failing test does: `reject` (typed credentials, S22: nothing is stored) or `keep` (OAuth: stored with status error). */
export type FailedTestHandling = 'reject' | 'keep'

/** The request `createTestedConnection` takes. */
export interface TestedConnectionRequest extends AuthorizedConnectionInput {
  /** The account a validated id_token names (complete-authorization.ts); absent or null when there was none. */
  account?: ConnectionAccount | null
  /** `reject` when absent. */
  failedTest?: FailedTestHandling
  /**
   * Set only by the connection object that found the account already connected here: the test
   * it ran on these credentials, recorded as it is (the test is not run twice), and a sign
   * that this request is not handed on again.
   */
  handedOver?: ConnectionTestResult
}

/** A checked `TestedConnectionRequest`. */
export interface CheckedTestedConnectionRequest {
  connection: CheckedConnectionInput
  account: ConnectionAccount | null
  failedTest: FailedTestHandling
  handedOver: ConnectionTestResult | null
}

/** Checks every field (`invalid_request` naming the field); the account is bounded again (connection-account.ts). */
export function validateTestedConnectionRequest(request: TestedConnectionRequest): CheckedTestedConnectionRequest {
  const connection = validateAuthorizedConnection(request)
  const { account = null, failedTest = 'reject', handedOver } = request
  if (account !== null && !isRecord(account)) throw invalid('account must be an object of id and label, or null.')
  if (failedTest !== 'reject' && failedTest !== 'keep') throw invalid('failedTest must be "reject" or "keep".')
  if (handedOver !== undefined && !isTestResult(handedOver)) throw invalid('handedOver must be a test result.')
  return { connection, account: checkedAccount(account), failedTest, handedOver: handedOver === undefined ? null : copyTestResult(handedOver) }
}

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('invalid_request', `createTestedConnection: ${message}`)
}

function isTestResult(value: unknown): value is ConnectionTestResult {
  if (!isRecord(value) || typeof value['ok'] !== 'boolean' || typeof value['at'] !== 'number' || !Number.isFinite(value['at'])) return false
  return ['code', 'message'].every((name) => value[name] === undefined || typeof value[name] === 'string')
}

/** Exactly the fields of a test result, nothing else that travelled with it. */
function copyTestResult(result: ConnectionTestResult): ConnectionTestResult {
  const copy: ConnectionTestResult = { ok: result.ok, at: result.at }
  if (result.code !== undefined) copy.code = result.code
  if (result.message !== undefined) copy.message = result.message
  return copy
}
