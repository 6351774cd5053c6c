// The emulator's request handler alone, in-process: the request listener the emulator gives
// `http.createServer` is called with a stand-in request and response (no sockets, no HTTP
// parsing, no client), so the CPU per call is the emulator's own work for a getRow, a listRows
// (`equal` on an indexed column + `limit(25)` over 1,000 rows) and a createRow, with the headers
// node-appwrite@27 sends. Serves the built package, as emulatorCpu.bench.ts does.
//   npx -y pnpm@10.34.8 --filter @booking-guard/testing run build
//   cd bench && node --import tsx emulatorCpu/handler.ts
// BENCH_ROUNDS (15) rounds of BENCH_CALLS (4000; createRow 500) calls; prints the min and the
// first quartile of the rounds, CPU time (the machine is shared: the min is the least disturbed).
// BENCH_ONLY=<route> runs the routes whose name starts with it (with `--cpu-prof`, a profile of one).
import { EventEmitter } from 'node:events'
import http from 'node:http'
import { syncBuiltinESMExports } from 'node:module'
import { Query } from 'node-appwrite'
import { startSeededEmulator } from './seed'

type Listener = (req: unknown, res: unknown) => void
let listener: Listener | undefined
const createServer = http.createServer
// The emulator's listener, caught on its way to `http.createServer`.
;(http as { createServer: unknown }).createServer = (handler: Listener) => {
  listener = handler
  return createServer(handler as never)
}
syncBuiltinESMExports()
const emulator = await startSeededEmulator(1000)

// What node-appwrite@27 sends (captured from a plain node:http server).
const headers = {
  host: '127.0.0.1:36049',
  connection: 'keep-alive',
  'x-sdk-name': 'Node.js',
  'x-sdk-platform': 'server',
  'x-sdk-language': 'nodejs',
  'x-sdk-version': '27.1.0',
  'user-agent': 'AppwriteNodeJSSDK/27.1.0 (linux; x64) Node.js/v20.20.2',
  'x-appwrite-response-format': '1.9.5',
  'x-appwrite-key': emulator.apiKey,
  'x-appwrite-project': emulator.projectId,
  accept: 'application/json',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'accept-encoding': 'gzip, deflate',
}
const rows = '/v1/tablesdb/bench/tables/items/rows'
const list = `${rows}?${[Query.equal('category', 'c7'), Query.limit(25)]
  .map((query, i) => `queries%5B${i}%5D=${encodeURIComponent(query)}`)
  .join('&')}`

let status = 0
/** One request through the emulator's listener; resolves when it ends the response. */
function call(method: string, url: string, body?: string): Promise<void> {
  return new Promise((resolve) => {
    const bytes = body === undefined ? undefined : Buffer.from(body)
    const sent = bytes
      ? { ...headers, 'content-type': 'application/json', 'content-length': `${bytes.length}` }
      : headers
    const req = Object.assign(new EventEmitter(), {
      method,
      url,
      headers: sent,
      rawHeaders: Object.entries(sent).flat(),
      socket: { destroy() {} },
      resume() {},
      async *[Symbol.asyncIterator]() {
        if (bytes) yield bytes
      },
    })
    const res = {
      headersSent: false,
      writeHead(code: number) {
        status = code
        this.headersSent = true
      },
      end: () => resolve(),
    }
    listener!(req, res)
    if (bytes)
      process.nextTick(() => {
        req.emit('data', bytes)
        req.emit('end')
      })
  })
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
const CALLS = Number(process.env.BENCH_CALLS ?? 4000)
async function measure(name: string, fn: () => Promise<void>, calls = CALLS) {
  if (process.env.BENCH_ONLY !== undefined && !name.startsWith(process.env.BENCH_ONLY)) return
  for (let i = 0; i < calls / 2; i++) await fn()
  const perCall: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage()
    for (let i = 0; i < calls; i++) await fn()
    const used = process.cpuUsage(start)
    perCall.push((used.user + used.system) / calls)
  }
  perCall.sort((a, b) => a - b)
  const q1 = perCall[Math.floor(perCall.length / 4)]!
  console.log(`| ${name} | ${perCall[0]!.toFixed(1)} µs | ${q1.toFixed(1)} µs | ${status} |`)
}

console.log(`Node ${process.version}; the emulator's request handler alone, CPU µs per call\n`)
console.log('| route | min | first quartile | status |')
console.log('| ----- | --: | -------------: | -----: |')
let n = 0
await measure('getRow', () => call('GET', `${rows}/r1`))
await measure('listRows (equal + limit 25)', () => call('GET', list))
await measure(
  'createRow',
  () =>
    call(
      'POST',
      rows,
      JSON.stringify({
        rowId: `new${n++}`,
        data: { title: 'created', category: `c${n % 40}`, count: n },
      }),
    ),
  500,
)
await emulator.close()
