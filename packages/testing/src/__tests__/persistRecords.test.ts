import { describe, expect, it } from 'vitest'
import { CorruptDataError, crc32, decodeRecords, encodeRecord } from '../emulator/persist/records'

const file = '/data/log-1.wal'
const records = (...json: string[]) => Buffer.concat(json.map(encodeRecord))

describe('records', () => {
  it('should compute the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
  })

  it('should read back every record written, text with newlines and non-ASCII included', () => {
    const json = [
      JSON.stringify({ n: 1, note: 'line\nbreak' }),
      JSON.stringify({ n: 2, é: '日本' }),
    ]
    const bytes = records(...json)
    expect(decodeRecords(bytes, file)).toEqual({
      records: json,
      validBytes: bytes.length,
      tornBytes: 0,
    })
  })

  it('should drop a last record cut short by a crash, wherever the cut falls', () => {
    const whole = records('{"n":1}', '{"n":2,"data":"abcdefgh"}')
    const first = encodeRecord('{"n":1}').length
    for (let cut = first + 1; cut < whole.length; cut++) {
      const decoded = decodeRecords(whole.subarray(0, cut), file)
      expect(decoded).toEqual({ records: ['{"n":1}'], validBytes: first, tornBytes: cut - first })
    }
  })

  it('should drop a last record whose checksum does not match, and zeros where the file grew', () => {
    const good = encodeRecord('{"n":1}')
    const flipped = encodeRecord('{"n":2}')
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 0x01
    expect(decodeRecords(Buffer.concat([good, flipped]), file)).toMatchObject({
      records: ['{"n":1}'],
      tornBytes: flipped.length,
    })
    expect(decodeRecords(Buffer.concat([good, Buffer.alloc(4096)]), file)).toMatchObject({
      records: ['{"n":1}'],
      validBytes: good.length,
      tornBytes: 4096,
    })
  })

  it('should refuse a damaged record followed by intact ones, naming the file and the offset', () => {
    const first = encodeRecord('{"n":1}')
    const second = encodeRecord('{"n":2}')
    second[12] = 'X'.charCodeAt(0)
    const bytes = Buffer.concat([first, second, encodeRecord('{"n":3}')])
    expect(() => decodeRecords(bytes, file)).toThrow(CorruptDataError)
    expect(() => decodeRecords(bytes, file)).toThrow(
      `${file} is damaged at byte ${first.length}: a record there fails its checksum`,
    )
  })
})
