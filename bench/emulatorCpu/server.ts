// One server of the emulator CPU bench, in its own process so its CPU time is its own:
//   node --import tsx emulatorCpu/server.ts emulator|bare
// It listens on a free loopback port, sends `{ ready, endpoint, projectId, apiKey }` over IPC, and
// answers `{ type: 'cpu' }` with its `process.cpuUsage()`. The bare server answers every request
// with the body the parent gave it for that method (`{ type: 'bodies', bodies }`), after reading
// the request; the emulator seeds a table of `ROWS` rows with a key index on `category`.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startSeededEmulator } from './seed'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000)
const send = (message: unknown) => process.send!(message)

process.on('message', (message: { type: string; bodies?: Record<string, string> }) => {
  if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() })
  if (message.type === 'bodies') {
    Object.assign(bodies, message.bodies)
    send({ type: 'bodies' })
  }
  if (message.type === 'exit') process.exit(0)
})

const bodies: Record<string, string> = {}

if (process.argv[2] === 'bare') {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const key = req.method === 'GET' && req.url!.includes('/rows?') ? 'LIST' : req.method!
      const body = bodies[key] ?? '{}'
      res.writeHead(key === 'POST' ? 201 : 200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  send({ type: 'ready', endpoint: `http://127.0.0.1:${port}/v1` })
} else {
  const emulator = await startSeededEmulator(ROWS)
  send({
    type: 'ready',
    endpoint: emulator.endpoint,
    projectId: emulator.projectId,
    apiKey: emulator.apiKey,
  })
}
