// A request target no URL can be made of (`GET //`) threw out of the request handler and took the
// whole emulator down: one hostile or broken client could stop every test sharing it.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'

let emulator: AppwriteEmulator

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ port: 0 })
})
afterAll(() => emulator.close())

/** Sends `head` as raw bytes and resolves with the status line of the answer. */
function rawStatusLine(head: string): Promise<string> {
  const { port } = new URL(emulator.endpoint)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(head))
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')))
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''))
    socket.on('error', reject)
  })
}

const headers = () => ({ 'X-Appwrite-Project': emulator.projectId })
const get = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\nX-Appwrite-Project: ${emulator.projectId}\r\n${extra}Connection: close\r\n\r\n`

describe('emulator: request targets no URL can be made of', () => {
  it.each(['//', '//:x/v1/health', '/v1//', '/%'])(
    'should answer %s with a 404 and keep serving',
    async (target) => {
      expect(await rawStatusLine(get(target))).toBe('HTTP/1.1 404 Not Found')
      // Still serving: a guest asking for its account is told it is not signed in.
      expect((await fetch(`${emulator.endpoint}/account`, { headers: headers() })).status).toBe(401)
    },
  )

  it('should refuse a WebSocket upgrade to // and keep serving', async () => {
    const upgrade =
      'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
    expect(
      await rawStatusLine(get('//', upgrade).replace('Connection: close', 'Connection: Upgrade')),
    ).toBe('HTTP/1.1 404 Not Found')
    expect((await fetch(`${emulator.endpoint}/account`, { headers: headers() })).status).toBe(401)
  })
})
