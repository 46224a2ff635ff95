/**
 * Connection ids: `conn_` + 26 random base32 characters (130 bits), made by the flow on a
 * first connect and used to address the connection's Durable Object. Every layer checks ids
 * it is given (tokens, URLs, RPC arguments), so this sits at the bottom.
 */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const CONNECTION_ID = /^conn_[a-z2-7]{26}$/

/** A new random connection id. */
export function newConnectionId(): string {
  // 256 is a multiple of 32, so `byte & 31` is unbiased.
  const bytes = crypto.getRandomValues(new Uint8Array(26))
  let id = 'conn_'
  for (const byte of bytes) id += BASE32[byte & 31]
  return id
}

/** Whether `value` has the shape of a connection id. */
export function isConnectionId(value: string): boolean {
  return CONNECTION_ID.test(value)
}
