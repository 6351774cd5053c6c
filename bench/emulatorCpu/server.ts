// One server of the emulator CPU bench, in its own process so its CPU time is its own:
//   node --import tsx emulatorCpu/server.ts emulator|bare
// It listens on a free loopback port, sends `{ ready, endpoint, projectId, apiKey }` over IPC, and
// answers `{ type: 'cpu' }` with its `process.cpuUsage()`. The bare server answers every request
// with the body the parent gave it for that method (`{ type: 'bodies', bodies }`), after reading
// the request; the emulator seeds a table of `ROWS` rows with a key index on `category`.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type * as Emulator from '@booking-guard/testing/emulator'

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
  // The built package, as users run it (tsx would resolve the package name to the sources through
  // the workspace's tsconfig paths and add its own helpers); `BENCH_SOURCE=1` serves the sources.
  const { startAppwriteEmulator } = (await import(
    process.env.BENCH_SOURCE === '1'
      ? '@booking-guard/testing/emulator'
      : '../../packages/testing/dist/emulator/index.js'
  )) as typeof Emulator
  const emulator = await startAppwriteEmulator()
  const admin = emulator.fake.admin
  await admin.create({ databaseId: 'bench', name: 'Bench' })
  await admin.createTable({ databaseId: 'bench', tableId: 'items', name: 'Items' })
  await admin.createStringColumn({
    databaseId: 'bench',
    tableId: 'items',
    key: 'title',
    size: 64,
    required: false,
  })
  await admin.createStringColumn({
    databaseId: 'bench',
    tableId: 'items',
    key: 'category',
    size: 16,
    required: false,
  })
  await admin.createIntegerColumn({
    databaseId: 'bench',
    tableId: 'items',
    key: 'count',
    required: false,
  })
  await admin.createIndex({
    databaseId: 'bench',
    tableId: 'items',
    key: 'by_category',
    type: 'key' as never,
    columns: ['category'],
  })
  for (let i = 0; i < ROWS; i++) {
    await emulator.fake.tablesDB.createRow({
      databaseId: 'bench',
      tableId: 'items',
      rowId: `r${i}`,
      data: { title: `item ${i}`, category: `c${i % 40}`, count: i },
    })
  }
  send({
    type: 'ready',
    endpoint: emulator.endpoint,
    projectId: emulator.projectId,
    apiKey: emulator.apiKey,
  })
}
