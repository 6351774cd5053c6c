// The hand-written SHA-256 in packages/core/src/pipeline/ids.ts against @noble/hashes (audited,
// synchronous, dependency-free): speed on the strings the pipeline hashes, and what each adds to
// a minified, gzipped browser bundle, measured side by side in one run.
//   cd bench && node --expose-gc --import tsx sha256.bench.ts
// Question (issue: keep the hand-written SHA-256 only for a measured reason): is there one?
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { Bench } from 'tinybench'
import { hmacSha256Hex, sha256Hex } from '../packages/core/src/pipeline/ids'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500)
const BATCH = 100

const inputs = {
  // What bookingIdForKey hashes.
  'idempotency key (56 B)': 'booking-guard/idempotency//3f2b8c1e-9d4a-4e7b-8c2f-1a6d5e4b3c2a',
  // What fingerprintOf hashes: a booking input as canonical JSON.
  'fingerprint (≈330 B)': JSON.stringify({
    bookingType: 'scheduled',
    currency: 'IDR',
    customerId: '6650f1a2b3c4d5e6f7a8',
    customerName: 'Ana Putri',
    durationMinutes: 90,
    location: 'Jl. Raya Ubud No. 8, Gianyar, Bali',
    notes: 'Second floor, ring twice',
    price: 35000000,
    providerId: '6650f1a2b3c4d5e6f7b9',
    providerName: 'Budi Santoso',
    providerType: 'therapist',
    scheduledAt: '2026-01-02T09:30:00.000+08:00',
  }),
}
const noble = (text: string) => bytesToHex(sha256(utf8ToBytes(text)))
const secret = 'a-server-side-secret-of-32-chars!'
const slot = 'booking-guard/slot/6650f1a2b3c4d5e6f7b9/2026-01-02T01:30:00.000Z'
const nobleHmac = (text: string) => bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(text)))

// Same answers first: a benchmark of two different functions measures nothing.
for (const text of Object.values(inputs)) {
  if (sha256Hex(text) !== noble(text)) throw new Error('sha256 outputs differ')
}
if (hmacSha256Hex(secret, slot) !== nobleHmac(slot)) throw new Error('hmac outputs differ')

async function bundleBytes(contents: string): Promise<{ min: number; gzip: number }> {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  })
  const code = result.outputFiles[0]!.contents
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

const ours = await bundleBytes(
  `import { sha256Hex, hmacSha256Hex } from '../packages/core/src/pipeline/ids'; console.log(sha256Hex('x'), hmacSha256Hex('k', 'x'))`,
)
const theirs = await bundleBytes(
  `import { hmac } from '@noble/hashes/hmac.js'; import { sha256 } from '@noble/hashes/sha2.js'; import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'; console.log(bytesToHex(sha256(utf8ToBytes('x'))), bytesToHex(hmac(sha256, utf8ToBytes('k'), utf8ToBytes('x'))))`,
)
console.log('bundle (esbuild, browser, minified; ids.ts carries the rest of the id helpers too):')
console.log(`  hand-written ids.ts   ${ours.min} B min, ${ours.gzip} B gzip`)
console.log(`  @noble/hashes 2       ${theirs.min} B min, ${theirs.gzip} B gzip`)

const cases: Array<[string, () => void, () => void]> = [
  ...Object.entries(inputs).map(([name, text]): [string, () => void, () => void] => [
    `sha256 ${name}`,
    () => {
      for (let i = 0; i < BATCH; i++) sha256Hex(text)
    },
    () => {
      for (let i = 0; i < BATCH; i++) noble(text)
    },
  ]),
  [
    'hmac-sha256 slot key (64 B)',
    () => {
      for (let i = 0; i < BATCH; i++) hmacSha256Hex(secret, slot)
    },
    () => {
      for (let i = 0; i < BATCH; i++) nobleHmac(slot)
    },
  ],
]
for (const [name, mine, peer] of cases) {
  const ratios: number[] = []
  let last: { ours: number; theirs: number } = { ours: 0, theirs: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS })
    const order: Array<[string, () => void]> = [
      ['ours', mine],
      ['noble', peer],
    ]
    for (const [task, fn] of round % 2 === 0 ? order : order.reverse()) bench.add(task, fn)
    await bench.run()
    const hz = (task: string) =>
      (bench.getTask(task)!.result as { throughput: { mean: number } }).throughput.mean * BATCH
    last = { ours: hz('ours'), theirs: hz('noble') }
    ratios.push(last.ours / last.theirs)
  }
  ratios.sort((a, b) => a - b)
  console.log(
    `${name}: ours ${Math.round(last.ours).toLocaleString('en')}/s, noble ${Math.round(last.theirs).toLocaleString('en')}/s; ours/noble median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}× over ${ROUNDS} rounds`,
  )
}
