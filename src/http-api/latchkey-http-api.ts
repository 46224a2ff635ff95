/**
 * The HTTP API bound to LatchkeyApi, the implementation behind LatchkeyService: an HTTP call
 * runs exactly the code an RPC call runs, with the same checks. lazy-http-api.ts loads this
 * module on the first /v1 call, so nothing here is evaluated at Worker startup.
 */
import { LatchkeyApi } from '../api/latchkey-api.ts'
import { createHttpApi } from './http-api.ts'

/** The HTTP API app (routes under /v1). */
export const httpApi = createHttpApi((env) => new LatchkeyApi(env))
