// What a sign-in against an imported password hash costs in the fake and the emulator: the
// package's own argon2 against @noble/hashes' (audited, pure JS) on the same inputs, side by side
// in one run, and the package's bcrypt at the costs migrations bring. Both run synchronously, so
// this is also how long a sign-in holds the emulator's event loop.
//   cd bench && node --import tsx passwordHashes.bench.ts
// Options (environment variables):
//   BENCH_ROUNDS=3   timed calls per case (after one untimed warm-up)
import { argon2id as nobleArgon2id } from '@noble/hashes/argon2.js'
import { argon2 } from '../packages/testing/src/fake/argon2'
import { bcrypt } from '../packages/testing/src/fake/bcrypt'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const encoder = new TextEncoder()
const password = encoder.encode('correct horse battery staple')
const salt = encoder.encode('somesalt-16bytes')

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function time(run: () => unknown): number {
  run()
  const samples: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now()
    run()
    samples.push(performance.now() - start)
  }
  return median(samples)
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const argonCases = [
  // The reference implementation's small test setting, the server's own default (Appwrite
  // hashes with m=65536, t=4, p=3), and OWASP's lighter recommendation.
  { name: 'm=256 KiB, t=2, p=1', memory: 256, passes: 2, parallelism: 1 },
  { name: 'm=19 MiB, t=2, p=1 (OWASP)', memory: 19_456, passes: 2, parallelism: 1 },
  { name: 'm=64 MiB, t=4, p=3 (Appwrite)', memory: 65_536, passes: 4, parallelism: 3 },
]
console.log(`argon2id, median of ${ROUNDS} calls (ms); the tags are compared first`)
console.log('| setting | booking-guard | @noble/hashes | ratio |')
console.log('| --- | --- | --- | --- |')
for (const c of argonCases) {
  const ours = () =>
    argon2({
      type: 'argon2id',
      version: 0x13,
      password,
      salt,
      memory: c.memory,
      passes: c.passes,
      parallelism: c.parallelism,
      tagLength: 32,
    })
  const noble = () =>
    nobleArgon2id(password, salt, { m: c.memory, t: c.passes, p: c.parallelism, dkLen: 32 })
  if (hex(ours()) !== hex(noble())) throw new Error(`argon2id tags differ for ${c.name}`)
  const a = time(ours)
  const b = time(noble)
  console.log(`| ${c.name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(2)}× |`)
}

console.log(`\nbcrypt, median of ${ROUNDS} calls (ms)`)
console.log('| cost | booking-guard |')
console.log('| --- | --- |')
for (const cost of [8, 10, 12]) {
  const setting = `$2y$${String(cost).padStart(2, '0')}$abcdefghijklmnopqrstuu`
  console.log(
    `| ${cost} | ${time(() => bcrypt('correct horse battery staple', setting)).toFixed(0)} |`,
  )
}
