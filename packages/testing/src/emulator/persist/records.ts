/*
 * The framing of the emulator's data dir files: one record per line, `<crc32 as 8 hex digits>
 * <JSON>\n`. JSON text never holds a raw newline (JSON.stringify escapes it) and UTF-8 never uses
 * the byte 0x0A inside a character, so a line is a record; the checksum covers the JSON's bytes.
 */

const NEWLINE = 0x0a
const SPACE = 0x20
/** Bytes before the JSON: 8 hex digits and a space. */
const HEADER_BYTES = 9

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/**
 * CRC-32 (IEEE, as zlib and PNG compute it) of `bytes[start, end)`.
 *
 * @example
 * ```ts
 * crc32(Buffer.from('123456789')) // 0xcbf43926
 * ```
 *
 * @internal
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff
  for (let i = start; i < end; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/**
 * One record as it goes into a file: checksum, space, the JSON text, newline.
 *
 * @example
 * ```ts
 * await log.write(encodeRecord(JSON.stringify({ n: 1 })))
 * ```
 *
 * @internal
 */
export function encodeRecord(json: string): Buffer {
  const body = Buffer.from(json, 'utf8')
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length + 1)
  out.write(crc32(body).toString(16).padStart(8, '0'), 0, 'latin1')
  out[8] = SPACE
  body.copy(out, HEADER_BYTES)
  out[out.length - 1] = NEWLINE
  return out
}

/** What {@link decodeRecords} read from a file. @internal */
export interface DecodedRecords {
  /** The JSON text of every intact record, in file order. */
  readonly records: string[]
  /** Bytes from the start of the file up to the end of the last intact record. */
  readonly validBytes: number
  /**
   * Bytes after {@link DecodedRecords.validBytes}: a last record cut short by a crash (no newline,
   * or a checksum that does not match). `0` for a clean file.
   */
  readonly tornBytes: number
}

/**
 * A file's records were damaged somewhere other than at its end: not what a crash leaves, so
 * loading stops rather than guess.
 *
 * @internal
 */
export class CorruptDataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CorruptDataError'
  }
}

/** Whether bytes `[start, end)` are a record whose checksum matches. */
function intact(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < HEADER_BYTES + 2 || bytes[start + 8] !== SPACE) return false
  let expected = 0
  for (let i = start; i < start + 8; i++) {
    const code = bytes[i]!
    const digit =
      code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : Number.NaN
    if (Number.isNaN(digit)) return false
    expected = expected * 16 + digit
  }
  return crc32(bytes, start + HEADER_BYTES, end) === expected
}

/**
 * Splits a file into its records, checking each checksum. A damaged last record is what a crash
 * during an append leaves (a write cut short, or zeros where the file grew): it is left out and
 * measured in `tornBytes`. A damaged record followed by an intact one is not, and throws
 * {@link CorruptDataError} naming `file` and the byte offset.
 *
 * @example
 * ```ts
 * const { records, tornBytes } = decodeRecords(await readFile(path), path)
 * ```
 *
 * @internal
 */
export function decodeRecords(bytes: Uint8Array, file: string): DecodedRecords {
  const records: string[] = []
  let start = 0
  let damagedAt = -1
  const decoder = new TextDecoder('utf-8', { fatal: true })
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start)
    const end = newline === -1 ? bytes.length : newline
    const ok = newline !== -1 && intact(bytes, start, end)
    if (!ok) {
      if (damagedAt === -1) damagedAt = start
    } else if (damagedAt !== -1) {
      throw new CorruptDataError(
        `${file} is damaged at byte ${damagedAt}: a record there fails its checksum, yet intact records follow it (at byte ${start}), which a crash does not leave. Restore the directory from a copy or an export (--import), or move the file away to start over.`,
      )
    } else {
      records.push(decoder.decode(bytes.subarray(start + HEADER_BYTES, end)))
    }
    start = end + 1
  }
  const validBytes = damagedAt === -1 ? bytes.length : damagedAt
  return { records, validBytes, tornBytes: bytes.length - validBytes }
}
