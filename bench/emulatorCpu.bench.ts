// Emulator server CPU per request against a bare `node:http` server answering the same route with
// a fixed body (the same bytes the emulator answers), for getRow, createRow and listRows
// (`equal` on an indexed column + `limit(25)` over 1,000 rows), driven by the real `node-appwrite`
// client from this process. Each server runs in its own child process and reports its own
// `process.cpuUsage()`, so the figure is the server's CPU alone, not the client's.
//   npx -y pnpm@10.34.8 --filter @booking-guard/core --filter @booking-guard/testing run build
//   cd bench && node --import tsx emulatorCpu.bench.ts
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { Client, Query, TablesDB } from 'node-appwrite'
import type { Models } from 'node-appwrite'
import { median } from './support'

const CALLS = Number(process.env.BENCH_CALLS ?? 1_500)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300)
/**
 * Calls per route and server before the first round, so both serve from optimised code: V8
 * optimises the emulator's per-request functions after 4,000–12,000 requests (`--trace-opt`), and
 * with 300 calls of warm-up the first one or two rounds ran 1.5–2.5× slower than the rest on both
 * servers (per-round figures, printed below). `0` measures from a cold start.
 */
const JIT_WARMUP = Number(process.env.BENCH_JIT_WARMUP ?? 3_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CASE_TIMEOUT_MS = 60_000

interface Server {
  child: ChildProcess
  endpoint: string
  /** The emulator's; `undefined` for the bare server. */
  projectId?: string
  apiKey?: string
  request<T>(message: { type: string; [key: string]: unknown }): Promise<T>
}

async function startServer(kind: 'emulator' | 'bare'): Promise<Server> {
  const child = fork(new URL('./emulatorCpu/server.ts', import.meta.url), [kind], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_COUNT ? ['--import', '' + process.env.BENCH_COUNT + ''] : []),
      ...(process.env.BENCH_TRACE_GC === kind ? ['--trace-gc'] : []),
      ...(process.env.BENCH_PROFILE === kind
        ? ['--cpu-prof', '--cpu-prof-dir=/tmp/emucpu', '--cpu-prof-interval=200']
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map<string, (message: unknown) => void>()
  const ready = new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)))
    child.on('message', (message: { type: string }) => {
      if (message.type === 'ready') resolve(message as unknown as Record<string, string>)
      waiting.get(message.type)?.(message)
    })
  })
  const info = await ready
  return {
    child,
    endpoint: info.endpoint!,
    projectId: info.projectId,
    apiKey: info.apiKey,
    request: (message) =>
      new Promise((resolve) => {
        waiting.set(message.type, resolve as (m: unknown) => void)
        child.send(message)
      }),
  }
}

const cpuOf = async (server: Server) =>
  (await server.request<{ usage: NodeJS.CpuUsage }>({ type: 'cpu' })).usage

/**
 * Server CPU microseconds per call of `fn` (user + system, and user alone), over `CALLS` calls
 * after `WARMUP`, one at a time.
 */
async function serverCpuPerCall(
  server: Server,
  fn: () => Promise<unknown>,
): Promise<{ cpu: number; user: number }> {
  const deadline = Date.now() + CASE_TIMEOUT_MS
  for (let i = 0; i < WARMUP; i++) await fn()
  const before = await cpuOf(server)
  let calls = 0
  while (calls < CALLS && Date.now() < deadline) {
    await fn()
    calls++
  }
  const after = await cpuOf(server)
  const user = (after.user - before.user) / calls
  return { cpu: user + (after.system - before.system) / calls, user }
}

const emulator = await startServer('emulator')
const bare = await startServer('bare')
const sdk = (endpoint: string) =>
  new TablesDB(
    new Client().setEndpoint(endpoint).setProject(emulator.projectId!).setKey(emulator.apiKey!),
  )
const onEmulator = sdk(emulator.endpoint)
const onBare = sdk(bare.endpoint)
const where = { databaseId: 'bench', tableId: 'items' }
const listQueries = [Query.equal('category', 'c7'), Query.limit(25)]

// The bare server answers the emulator's own bytes for each route.
const headers = { 'x-appwrite-project': emulator.projectId!, 'x-appwrite-key': emulator.apiKey! }
const text = async (url: string, init?: RequestInit) => (await fetch(url, init)).text()
const base = `${emulator.endpoint}/tablesdb/bench/tables/items/rows`
await bare.request({
  type: 'bodies',
  bodies: {
    GET: await text(`${base}/r1`, { headers }),
    LIST: await text(
      `${base}?${listQueries.map((q) => `queries[]=${encodeURIComponent(q)}`).join('&')}`,
      { headers },
    ),
    POST: await text(base, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        rowId: 'sample',
        data: { title: 'created', category: 'c1', count: 1 },
      }),
    }),
  },
})

type Item = Models.Row & { title: string; category: string; count: number }
let n = 0
const cases: [string, (db: TablesDB) => () => Promise<unknown>][] = [
  ['getRow', (db) => () => db.getRow({ ...where, rowId: 'r1' })],
  [
    'createRow',
    (db) => () =>
      db.createRow<Item>({
        ...where,
        rowId: `new${n++}`,
        data: { title: 'created', category: `c${n % 40}`, count: n },
      }),
  ],
  ['listRows (equal + limit 25)', (db) => () => db.listRows({ ...where, queries: listQueries })],
]

// `BENCH_ONLY=listRows` runs the cases whose name starts with it (for a profile of one route).
const only = process.env.BENCH_ONLY
if (only !== undefined)
  cases.splice(0, cases.length, ...cases.filter(([name]) => name.startsWith(only)))

interface Figures {
  cpu: number[]
  user: number[]
}
const results = new Map<string, { emulator: Figures; bare: Figures }>(
  cases.map(([name]) => [name, { emulator: { cpu: [], user: [] }, bare: { cpu: [], user: [] } }]),
)
const record = (into: Figures, { cpu, user }: { cpu: number; user: number }) => {
  into.cpu.push(cpu)
  into.user.push(user)
}
// Both servers, every route, before any round (createRow's add JIT_WARMUP rows to the table).
for (const [, make] of cases) {
  for (const db of [onEmulator, onBare]) {
    const call = make(db)
    for (let i = 0; i < JIT_WARMUP; i++) await call()
  }
}
// Rounds interleave the cases and the two servers, so load from other jobs hits them alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, make] of cases) {
    record(results.get(name)!.emulator, await serverCpuPerCall(emulator, make(onEmulator)))
    record(results.get(name)!.bare, await serverCpuPerCall(bare, make(onBare)))
  }
}
for (const server of [emulator, bare]) server.child.send({ type: 'exit' })

console.log(
  `Node ${process.version}; server CPU µs per request, ${JIT_WARMUP} calls per route first, then ${ROUNDS} rounds × ${CALLS} calls (after ${WARMUP}), one at a time; medians\n`,
)
console.log(
  '| route | emulator | bare node:http, same bytes | ratio | emulator user | bare user | user ratio |',
)
console.log(
  '| ----- | -------: | -------------------------: | ----: | ------------: | --------: | ---------: |',
)
const us = (value: number) => `${value.toFixed(0)} µs`
for (const [name, { emulator: e, bare: b }] of results) {
  const [em, bm, eu, bu] = [median(e.cpu), median(b.cpu), median(e.user), median(b.user)]
  console.log(
    `| ${name} | ${us(em)} | ${us(bm)} | ${(em / bm).toFixed(2)}× | ${us(eu)} | ${us(bu)} | ${(eu / bu).toFixed(2)}× |`,
  )
}
console.log('\nper round, emulator | bare (µs):')
for (const [name, { emulator: e, bare: b }] of results) {
  console.log(`  ${name}: ${e.cpu.map(Math.round).join(' ')} | ${b.cpu.map(Math.round).join(' ')}`)
}
