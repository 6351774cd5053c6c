import { createHash } from 'node:crypto'
import * as server from 'node-appwrite'
import { InputFile } from 'node-appwrite/file'
import { describe, expect, it } from 'vitest'
import { cliServerClient, spawnEmulatorCli } from './emulatorHelpers'
import { cleanupAfterEach, tempDir } from './helpers'

// The storage side of the durability test: the emulator CLI on a data dir, a burst of uploads from
// node-appwrite, SIGKILL in the middle of it, a restart on the same dir, and a comparison with
// what the clients were told: every acknowledged file is back with its bytes, and every file
// listed has exactly the bytes that were sent for it.

const WRITERS = 4
const MAX_FILES = 400
const KILL_AFTER_ACKS = 40

const cleanups = cleanupAfterEach()
const spawnEmulator = (dir: string) => spawnEmulatorCli(cleanups, ['--data', dir, '--lenient'])
const storageAt = (endpoint: string) => new server.Storage(cliServerClient(endpoint))

/** The bytes file `n` is uploaded with: sizes from 1 KB to about 300 KB. */
function bytesFor(n: number): Buffer {
  const bytes = Buffer.alloc(1_024 + ((n * 104_729) % 300_000))
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + n * 17) & 0xff
  return bytes
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

describe('emulator storage durability', () => {
  it('should keep every acknowledged upload and no half-written file across a SIGKILL', async () => {
    const dir = await tempDir(cleanups, 'emulator-storage-crash-')
    const first = await spawnEmulator(dir)
    const storage = storageAt(first.endpoint)
    await storage.createBucket({ bucketId: 'burst', name: 'Burst' })

    const acknowledged = new Set<number>()
    let next = 0
    let killed = false
    const writer = async () => {
      while (!killed && next < MAX_FILES) {
        const n = next++
        try {
          await storage.createFile({
            bucketId: 'burst',
            fileId: `f${n}`,
            file: InputFile.fromBuffer(bytesFor(n), `f${n}.bin`),
          })
          acknowledged.add(n)
          if (acknowledged.size === KILL_AFTER_ACKS && !killed) {
            killed = true
            first.child.kill('SIGKILL')
          }
        } catch (error) {
          // Only the kill may end an upload: any other failure is this test's failure.
          if (!killed) throw error
        }
      }
    }
    await Promise.all(Array.from({ length: WRITERS }, writer))
    await first.exited
    expect(killed).toBe(true)

    const second = await spawnEmulator(dir)
    const restarted = storageAt(second.endpoint)
    const listed = new Set<number>()
    let cursor: string | undefined
    for (;;) {
      const page = await restarted.listFiles({
        bucketId: 'burst',
        queries: [
          server.Query.limit(100),
          ...(cursor === undefined ? [] : [server.Query.cursorAfter(cursor)]),
        ],
      })
      for (const file of page.files) {
        const n = Number(file.$id.slice(1))
        listed.add(n)
        expect(file.signature).toBe(md5(bytesFor(n)))
      }
      if (page.files.length < 100) break
      cursor = page.files.at(-1)!.$id
    }
    for (const n of acknowledged) expect(listed.has(n), `acknowledged f${n} is missing`).toBe(true)
    // A file the client was not told about may be there (written, then killed before the
    // answer), but whole: its bytes are the ones sent.
    for (const n of listed) {
      const bytes = await restarted.getFileDownload({ bucketId: 'burst', fileId: `f${n}` })
      expect(md5(Buffer.from(bytes))).toBe(md5(bytesFor(n)))
    }
    second.child.kill('SIGTERM')
    await second.exited
  }, 60_000)
})
