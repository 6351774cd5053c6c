// The emulator's Storage over loopback with the real node-appwrite SDK: createFile (256 KiB in one
// request; 6 MiB in two chunks) and getFileDownload (the same sizes), beside the same SDK calls
// against a bare `node:http` server that reads the upload as the emulator does (the body parsed
// with `Response.formData()`) and answers a fixed file model, or sends the same bytes for a
// download: what HTTP, multipart and the SDK cost before the emulator stores anything.
//   npx -y pnpm@10.34.8 --filter @booking-guard/testing run build
//   cd bench && node --expose-gc --import tsx emulatorStorage.bench.ts
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { Client, Storage } from 'node-appwrite'
import { InputFile } from 'node-appwrite/file'
import { measureCalls, median } from './support'
import type { CallRate } from './support'

const CASE_MS = Number(process.env.BENCH_CASE_MS ?? 1_000)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const SMALL = Buffer.alloc(256 * 1024, 7)
const LARGE = Buffer.alloc(6 * 1024 * 1024, 9)

const measure = (fn: () => Promise<unknown>) =>
  measureCalls(fn, { caseMs: CASE_MS, warmupMs: WARMUP_MS })

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The bare peer: parses an upload's multipart body and answers a fixed file; serves the bytes. */
async function startBare(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST') {
        const body = await readBody(req)
        const form = await new Response(body, {
          headers: { 'content-type': req.headers['content-type'] ?? '' },
        }).formData()
        const file = form.get('file') as File
        const bytes = Buffer.from(await file.arrayBuffer())
        const json = JSON.stringify({
          $id: 'bare',
          bucketId: 'b',
          name: file.name,
          sizeOriginal: bytes.length,
          chunksTotal: 1,
          chunksUploaded: 1,
          $permissions: [],
        })
        res.writeHead(201, { 'content-type': 'application/json' }).end(json)
        return
      }
      const bytes = req.url?.includes('/large/') ? LARGE : SMALL
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes)
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

const storageAt = (endpoint: string, key: string) =>
  new Storage(new Client().setEndpoint(endpoint).setProject('booking-guard').setKey(key))

const emulator = await startAppwriteEmulator()
const bare = await startBare()
const onEmulator = storageAt(emulator.endpoint, emulator.apiKey)
const onBare = storageAt(bare.endpoint, 'k')
await onEmulator.createBucket({ bucketId: 'bench', name: 'Bench' })
for (const [id, bytes] of [
  ['small', SMALL],
  ['large', LARGE],
] as const)
  await onEmulator.createFile({
    bucketId: 'bench',
    fileId: id,
    file: InputFile.fromBuffer(bytes, `${id}.bin`),
  })

let n = 0
const cases: Record<string, { emulator: () => Promise<unknown>; bare: () => Promise<unknown> }> = {
  'createFile 256 KiB': {
    emulator: () =>
      onEmulator.createFile({
        bucketId: 'bench',
        fileId: `s${n++}`,
        file: InputFile.fromBuffer(SMALL, 's.bin'),
      }),
    bare: () =>
      onBare.createFile({
        bucketId: 'bench',
        fileId: 'x',
        file: InputFile.fromBuffer(SMALL, 's.bin'),
      }),
  },
  'createFile 6 MiB (2 chunks)': {
    emulator: async () => {
      const id = `l${n++}`
      await onEmulator.createFile({
        bucketId: 'bench',
        fileId: id,
        file: InputFile.fromBuffer(LARGE, 'l.bin'),
      })
      // Dropped at once: the bench measures uploads, not a growing store.
      await onEmulator.deleteFile({ bucketId: 'bench', fileId: id })
    },
    bare: () =>
      onBare.createFile({
        bucketId: 'bench',
        fileId: 'x',
        file: InputFile.fromBuffer(LARGE, 'l.bin'),
      }),
  },
  'getFileDownload 256 KiB': {
    emulator: () => onEmulator.getFileDownload({ bucketId: 'bench', fileId: 'small' }),
    bare: () => onBare.getFileDownload({ bucketId: 'bench', fileId: 'small' }),
  },
  'getFileDownload 6 MiB': {
    emulator: () => onEmulator.getFileDownload({ bucketId: 'bench', fileId: 'large' }),
    bare: () => onBare.getFileDownload({ bucketId: 'large', fileId: 'large' }),
  },
}

const results: Record<string, { emulator: CallRate[]; bare: CallRate[] }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, pair] of Object.entries(cases)) {
    const entry = (results[name] ??= { emulator: [], bare: [] })
    // Side by side, alternating which goes first, so machine load hits both alike.
    if (round % 2 === 0) {
      entry.emulator.push(await measure(pair.emulator))
      entry.bare.push(await measure(pair.bare))
    } else {
      entry.bare.push(await measure(pair.bare))
      entry.emulator.push(await measure(pair.emulator))
    }
  }
}

const fmt = (x: number) => x.toFixed(1)
console.log(
  '| case | emulator calls/s (per CPU-s) | bare calls/s (per CPU-s) | emulator p50 ms | bare p50 ms | CPU per call, emulator / bare |',
)
console.log('| --- | --- | --- | --- | --- | --- |')
for (const [name, { emulator: e, bare: b }] of Object.entries(results)) {
  const eRate = median(e.map((r) => r.perSecond))
  const bRate = median(b.map((r) => r.perSecond))
  const eCpu = median(e.map((r) => r.perCpuSecond))
  const bCpu = median(b.map((r) => r.perCpuSecond))
  console.log(
    `| ${name} | ${fmt(eRate)} (${fmt(eCpu)}) | ${fmt(bRate)} (${fmt(bCpu)}) | ${fmt(median(e.map((r) => r.p50)))} | ${fmt(median(b.map((r) => r.p50)))} | ${(bCpu / eCpu).toFixed(2)}× |`,
  )
}
await emulator.close()
await bare.close()
