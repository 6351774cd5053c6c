/*
 * Argon2 (RFC 9106: argon2d, argon2i, argon2id, versions 0x10 and 0x13) and the BLAKE2b it is
 * built on (RFC 7693), to verify the argon2 hashes migrations import through
 * `POST /v1/users/argon2` on a Node without `crypto.argon2` (before 24.7), with no dependency.
 * 64-bit words are kept as two 32-bit halves (low first) in `Uint32Array`s. Synchronous and
 * single-threaded: lanes are filled one after another, which gives the same result.
 */

const IV = Uint32Array.from([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
])

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
]

/** `v[d] = rotr64(v[d] ^ v[a], n)` for the four rotations BLAKE2b and Argon2 use. */
function xorRotate(v: Uint32Array, d: number, a: number, n: 32 | 24 | 16 | 63): void {
  const lo = v[d]! ^ v[a]!
  const hi = v[d + 1]! ^ v[a + 1]!
  if (n === 32) {
    v[d] = hi
    v[d + 1] = lo
  } else if (n === 63) {
    v[d] = (lo << 1) | (hi >>> 31)
    v[d + 1] = (hi << 1) | (lo >>> 31)
  } else {
    v[d] = (lo >>> n) | (hi << (32 - n))
    v[d + 1] = (hi >>> n) | (lo << (32 - n))
  }
}

/** `v[a] += v[b] + (m[x] as a 64-bit word)`. */
function add3(v: Uint32Array, a: number, b: number, m: Uint32Array, x: number): void {
  const lo = v[a]! + v[b]! + m[x]!
  v[a] = lo
  v[a + 1] = v[a + 1]! + v[b + 1]! + m[x + 1]! + Math.floor(lo / 4_294_967_296)
}

function compress(h: Uint32Array, block: Uint32Array, counter: number, last: boolean): void {
  const v = new Uint32Array(32)
  v.set(h)
  v.set(IV, 16)
  v[24] = v[24]! ^ (counter % 4_294_967_296)
  v[25] = v[25]! ^ Math.floor(counter / 4_294_967_296)
  if (last) {
    v[28] = ~v[28]!
    v[29] = ~v[29]!
  }
  const mix = (a: number, b: number, c: number, d: number, x: number, y: number) => {
    add3(v, a, b, block, x)
    xorRotate(v, d, a, 32)
    add3(v, c, d, ZERO_WORD, 0)
    xorRotate(v, b, c, 24)
    add3(v, a, b, block, y)
    xorRotate(v, d, a, 16)
    add3(v, c, d, ZERO_WORD, 0)
    xorRotate(v, b, c, 63)
  }
  for (let round = 0; round < 12; round++) {
    const s = SIGMA[round % 10]!
    mix(0, 8, 16, 24, 2 * s[0]!, 2 * s[1]!)
    mix(2, 10, 18, 26, 2 * s[2]!, 2 * s[3]!)
    mix(4, 12, 20, 28, 2 * s[4]!, 2 * s[5]!)
    mix(6, 14, 22, 30, 2 * s[6]!, 2 * s[7]!)
    mix(0, 10, 20, 30, 2 * s[8]!, 2 * s[9]!)
    mix(2, 12, 22, 24, 2 * s[10]!, 2 * s[11]!)
    mix(4, 14, 16, 26, 2 * s[12]!, 2 * s[13]!)
    mix(6, 8, 18, 28, 2 * s[14]!, 2 * s[15]!)
  }
  for (let i = 0; i < 16; i++) h[i] = h[i]! ^ v[i]! ^ v[i + 16]!
}

const ZERO_WORD = new Uint32Array(2)

/** BLAKE2b of `input` with an `outLength`-byte digest (1–64), no key. @internal */
export function blake2b(input: Uint8Array, outLength: number): Uint8Array {
  const h = IV.slice()
  h[0] = h[0]! ^ 0x01010000 ^ outLength
  const block = new Uint32Array(32)
  const bytes = new Uint8Array(block.buffer)
  let offset = 0
  do {
    const length = Math.min(128, input.length - offset)
    bytes.fill(0)
    bytes.set(input.subarray(offset, offset + length))
    offset += length
    const last = offset >= input.length
    // The words are read little-endian, as every platform Node runs on stores them.
    compress(h, block, offset, last)
    if (last) break
  } while (offset < input.length)
  return new Uint8Array(h.buffer, 0, 64).slice(0, outLength)
}

/** `H'^T`: BLAKE2b stretched to `length` bytes. */
function blake2bLong(input: Uint8Array, length: number): Uint8Array {
  const prefixed = concat(le32(length), input)
  if (length <= 64) return blake2b(prefixed, length)
  const out = new Uint8Array(length)
  let v = blake2b(prefixed, 64)
  out.set(v.subarray(0, 32))
  let at = 32
  while (length - at > 64) {
    v = blake2b(v, 64)
    out.set(v.subarray(0, 32), at)
    at += 32
  }
  out.set(blake2b(v, length - at), at)
  return out
}

const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24)

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** The high 32 bits of the 64-bit product of two unsigned 32-bit numbers, exactly. */
function mulHigh(x: number, y: number): number {
  const xl = x & 0xffff
  const xh = x >>> 16
  const yl = y & 0xffff
  const yh = y >>> 16
  const cross = ((xl * yl) >>> 16) + ((xh * yl) & 0xffff) + ((xl * yh) & 0xffff)
  return xh * yh + ((xh * yl) >>> 16) + ((xl * yh) >>> 16) + (cross >>> 16)
}

/** `a += b + 2 * lo(a) * lo(b)` on 64-bit words (Argon2's BlaMka). */
function blaMka(v: Uint32Array, a: number, b: number): void {
  const x = v[a]!
  const y = v[b]!
  const productHi = mulHigh(x, y)
  const productLo = Math.imul(x, y) >>> 0
  const lo = x + y + ((productLo << 1) >>> 0)
  v[a] = lo
  v[a + 1] =
    v[a + 1]! +
    v[b + 1]! +
    (((productHi << 1) | (productLo >>> 31)) >>> 0) +
    Math.floor(lo / 4_294_967_296)
}

function gb(v: Uint32Array, a: number, b: number, c: number, d: number): void {
  blaMka(v, a, b)
  xorRotate(v, d, a, 32)
  blaMka(v, c, d)
  xorRotate(v, b, c, 24)
  blaMka(v, a, b)
  xorRotate(v, d, a, 16)
  blaMka(v, c, d)
  xorRotate(v, b, c, 63)
}

/** The 16 rows then the 8 columns of a block, each as 16 word positions (×2: low halves). */
const PERMUTATIONS: number[][] = [
  ...Array.from({ length: 8 }, (_, row) =>
    Array.from({ length: 16 }, (_, k) => 2 * (16 * row + k)),
  ),
  ...Array.from({ length: 8 }, (_, col) =>
    Array.from({ length: 16 }, (_, k) => 2 * (2 * col + (k & 1) + 16 * (k >> 1))),
  ),
]

function permute(v: Uint32Array, w: number[]): void {
  gb(v, w[0]!, w[4]!, w[8]!, w[12]!)
  gb(v, w[1]!, w[5]!, w[9]!, w[13]!)
  gb(v, w[2]!, w[6]!, w[10]!, w[14]!)
  gb(v, w[3]!, w[7]!, w[11]!, w[15]!)
  gb(v, w[0]!, w[5]!, w[10]!, w[15]!)
  gb(v, w[1]!, w[6]!, w[11]!, w[12]!)
  gb(v, w[2]!, w[7]!, w[8]!, w[13]!)
  gb(v, w[3]!, w[4]!, w[9]!, w[14]!)
}

const BLOCK = 256
const scratchR = new Uint32Array(BLOCK)
const scratchT = new Uint32Array(BLOCK)

/** `out = G(x, y)` (XORed into what `out` holds when `xor`), blocks at the given offsets. */
function fillBlock(
  x: Uint32Array,
  xAt: number,
  y: Uint32Array,
  yAt: number,
  out: Uint32Array,
  outAt: number,
  xor: boolean,
): void {
  for (let k = 0; k < BLOCK; k++) {
    const r = x[xAt + k]! ^ y[yAt + k]!
    scratchR[k] = r
    scratchT[k] = xor ? r ^ out[outAt + k]! : r
  }
  for (const w of PERMUTATIONS) permute(scratchR, w)
  for (let k = 0; k < BLOCK; k++) out[outAt + k] = scratchT[k]! ^ scratchR[k]!
}

/** Argon2's parameters (RFC 9106 §3.1). @internal */
export interface Argon2Params {
  readonly type: 'argon2d' | 'argon2i' | 'argon2id'
  /** `0x13` (19, current) or `0x10` (16). */
  readonly version: number
  readonly password: Uint8Array
  readonly salt: Uint8Array
  /** Memory in KiB (1 KiB blocks). */
  readonly memory: number
  readonly passes: number
  readonly parallelism: number
  readonly tagLength: number
  readonly secret?: Uint8Array
  readonly associatedData?: Uint8Array
}

const TYPES = { argon2d: 0, argon2i: 1, argon2id: 2 } as const

/** The Argon2 tag of `params`. @internal */
export function argon2(params: Argon2Params): Uint8Array {
  const { passes, parallelism: lanes, tagLength, version } = params
  const type = TYPES[params.type]
  const secret = params.secret ?? new Uint8Array(0)
  const data = params.associatedData ?? new Uint8Array(0)
  const h0 = blake2b(
    concat(
      le32(lanes),
      le32(tagLength),
      le32(params.memory),
      le32(passes),
      le32(version),
      le32(type),
      le32(params.password.length),
      params.password,
      le32(params.salt.length),
      params.salt,
      le32(secret.length),
      secret,
      le32(data.length),
      data,
    ),
    64,
  )
  const segment = Math.floor(Math.max(params.memory, 8 * lanes) / (4 * lanes))
  const laneLength = 4 * segment
  const blocks = laneLength * lanes
  const memory = new Uint32Array(blocks * BLOCK)
  const at = (lane: number, index: number) => (lane * laneLength + index) * BLOCK
  for (let lane = 0; lane < lanes; lane++)
    for (let index = 0; index < 2; index++) {
      const bytes = blake2bLong(concat(h0, le32(index), le32(lane)), 1024)
      memory.set(new Uint32Array(bytes.buffer, bytes.byteOffset, BLOCK), at(lane, index))
    }
  const zero = new Uint32Array(BLOCK)
  const input = new Uint32Array(BLOCK)
  const addresses = new Uint32Array(BLOCK)
  const nextAddresses = () => {
    input[12] = input[12]! + 1
    fillBlock(zero, 0, input, 0, addresses, 0, false)
    fillBlock(zero, 0, addresses, 0, addresses, 0, false)
  }
  for (let pass = 0; pass < passes; pass++)
    for (let slice = 0; slice < 4; slice++)
      for (let lane = 0; lane < lanes; lane++) {
        const independent = type === 1 || (type === 2 && pass === 0 && slice < 2)
        if (independent) {
          input.fill(0)
          input[0] = pass
          input[2] = lane
          input[4] = slice
          input[6] = blocks
          input[8] = passes
          input[10] = type
        }
        let start = 0
        if (pass === 0 && slice === 0) {
          start = 2
          if (independent) nextAddresses()
        }
        for (let i = start; i < segment; i++) {
          const index = slice * segment + i
          const prev = at(lane, index === 0 ? laneLength - 1 : index - 1)
          let randLo: number
          let randHi: number
          if (independent) {
            if (i % 128 === 0) nextAddresses()
            randLo = addresses[2 * (i % 128)]!
            randHi = addresses[2 * (i % 128) + 1]!
          } else {
            randLo = memory[prev]!
            randHi = memory[prev + 1]!
          }
          const refLane = pass === 0 && slice === 0 ? lane : randHi % lanes
          const sameLane = refLane === lane
          let area: number
          if (pass === 0)
            area =
              slice === 0
                ? i - 1
                : sameLane
                  ? slice * segment + i - 1
                  : slice * segment - (i === 0 ? 1 : 0)
          else area = laneLength - segment + (sameLane ? i - 1 : i === 0 ? -1 : 0)
          const relative = area - 1 - mulHigh(area, mulHigh(randLo, randLo))
          const startAt = pass === 0 || slice === 3 ? 0 : (slice + 1) * segment
          const ref = at(refLane, (startAt + relative) % laneLength)
          fillBlock(
            memory,
            prev,
            memory,
            ref,
            memory,
            at(lane, index),
            version === 0x13 && pass > 0,
          )
        }
      }
  const final = memory.slice(at(0, laneLength - 1), at(0, laneLength - 1) + BLOCK)
  for (let lane = 1; lane < lanes; lane++) {
    const last = at(lane, laneLength - 1)
    for (let k = 0; k < BLOCK; k++) final[k] = final[k]! ^ memory[last + k]!
  }
  return blake2bLong(new Uint8Array(final.buffer), tagLength)
}
