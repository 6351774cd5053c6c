import { describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../../index'
import { upstreamSuite } from './upstream'

// Facts from tests/e2e/Services/Realtime/RealtimeCustomClientTest.php (appwrite 1.9.6): a socket
// from a web origin the project has not registered is refused. The test project registers
// `localhost` as its Web platform, as the upstream one does (the emulator's `redirectHosts`).
const CLIENT = 'tests/e2e/Services/Realtime/RealtimeCustomClientTest.php'

const suite = upstreamSuite(() => ({
  fake: createFakeAppwrite({ strict: true }),
  redirectHosts: ['localhost'],
}))

describe('Realtime connections, as the server tests them', () => {
  it(`${CLIENT} testConnectionPlatform: should answer an unknown origin with a 1008 error frame, then close the socket`, async () => {
    const socket = await suite.up.socket(['documents'], { origin: 'http://appwrite.unknown' })
    const frame = await socket.next()
    expect(frame).toEqual({
      type: 'error',
      data: {
        code: 1008,
        message:
          'Invalid Origin. Register your new client (appwrite.unknown) as a new Web platform on your project console dashboard',
      },
    })
    expect(await socket.closed()).toBe(1008)
  })
})
