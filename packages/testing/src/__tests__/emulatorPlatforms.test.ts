import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { openFrameQueue } from './helpers'

// `redirectHosts` is the project's Web platforms: besides redirect URLs, it decides which
// `Origin`s a client request or realtime socket may come from, as the server's CSRF check does.

let emulator: AppwriteEmulator
let open: AppwriteEmulator

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ redirectHosts: ['localhost', 'app.example.com'] })
  open = await startAppwriteEmulator()
})

afterAll(async () => {
  await emulator.close()
  await open.close()
})

/** `GET /v1/account` from `origin` (none when `undefined`), with `extra` headers: status and body. */
async function account(on: AppwriteEmulator, origin?: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'x-appwrite-project': on.projectId, ...extra }
  if (origin !== undefined) headers.origin = origin
  const response = await fetch(`${on.endpoint}/account`, { headers })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** The first frame a realtime socket from `origin` receives, and the close code when it closes. */
async function firstFrame(on: AppwriteEmulator, origin: string) {
  const ws = new WebSocket(
    `${on.realtimeEndpoint}/realtime?project=${on.projectId}&channels[]=documents`,
    {
      headers: { origin },
    },
  )
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)))
  const next = await openFrameQueue<{ type: string; data: Record<string, unknown> }>(ws)
  const frame = await next()
  ws.close()
  return { frame, closed }
}

describe('emulatorPlatforms', () => {
  it('should refuse a client request from an origin that is not a platform with 403 general_unknown_origin', async () => {
    expect(await account(emulator, 'https://evil.example.net')).toMatchObject({
      status: 403,
      body: {
        type: 'general_unknown_origin',
        message:
          'Invalid Origin. Register your new client (evil.example.net) as a new Web platform on your project console dashboard',
      },
    })
    expect((await account(emulator, 'tauri://evil.example.net')).body.message).toBe(
      'Invalid Origin. Register your new client (evil.example.net) as a new Web (Tauri) platform on your project console dashboard',
    )
    expect((await account(emulator, 'foo://bar')).body.message).toBe(
      'Invalid Scheme. The scheme used (foo) in the Origin (foo://bar) is not supported. If you are using a custom scheme, please change it to `appwrite-callback-<PROJECT_ID>`',
    )
  })

  it('should let platforms, loopback spellings of localhost, callback schemes, keys and origin-less clients through', async () => {
    // Past the origin check, a guest reading its account is a 401.
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1:3000',
      'http://[::1]',
      'https://APP.example.com',
      `appwrite-callback-${emulator.projectId}://done`,
      'exp://192.168.0.2:8081',
      undefined,
    ])
      expect({ origin, status: (await account(emulator, origin)).status }).toEqual({
        origin,
        status: 401,
      })
    const asKey = await fetch(`${emulator.endpoint}/users`, {
      headers: {
        'x-appwrite-project': emulator.projectId,
        'x-appwrite-key': emulator.apiKey,
        origin: 'https://evil.example.net',
      },
    })
    expect(asKey.status).toBe(200)
  })

  it('should refuse a realtime socket from an unknown origin with a 1008 error, and connect a platform', async () => {
    const refused = await firstFrame(emulator, 'https://evil.example.net')
    expect(refused.frame).toEqual({
      type: 'error',
      data: {
        code: 1008,
        message:
          'Invalid Origin. Register your new client (evil.example.net) as a new Web platform on your project console dashboard',
      },
    })
    expect(await refused.closed).toBe(1008)
    const accepted = await firstFrame(emulator, 'http://localhost:5173')
    expect(accepted.frame.type).toBe('connected')
  })

  it('should refuse a team invitation url on another host', async () => {
    const key = {
      'content-type': 'application/json',
      'x-appwrite-project': emulator.projectId,
      'x-appwrite-key': emulator.apiKey,
    }
    const team = await fetch(`${emulator.endpoint}/teams`, {
      method: 'POST',
      headers: key,
      body: JSON.stringify({ teamId: 'unique()', name: 'Crew' }),
    })
    const { $id } = (await team.json()) as { $id: string }
    const invite = (url: string) =>
      fetch(`${emulator.endpoint}/teams/${$id}/memberships`, {
        method: 'POST',
        headers: key,
        body: JSON.stringify({ email: 'friend@example.com', roles: [], url }),
      })
    const refused = await invite('https://evil.example.net/join')
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { message: string }).message).toBe(
      'Invalid `url` param: Invalid URI. Register your new client (evil.example.net) as a new Web platform on your project console dashboard',
    )
    expect((await invite('https://app.example.com/join')).status).toBe(201)
  })

  it('should accept every origin without redirectHosts', async () => {
    expect((await account(open, 'https://evil.example.net')).status).toBe(401)
    expect((await firstFrame(open, 'https://evil.example.net')).frame.type).toBe('connected')
  })
})
