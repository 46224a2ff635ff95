/**
 * The fault the scripted upstream cannot play: a TCP server on 127.0.0.1 that accepts every
 * connection and resets it at once, so a token request fails on the network (no HTTP
 * answer at all). Started by test/setup/authorization-server.ts (Node).
 */
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/** Starts the server; `origin` is `http://127.0.0.1:<port>`. */
export async function startConnectionResetServer(): Promise<{ origin: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.resetAndDestroy()
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
