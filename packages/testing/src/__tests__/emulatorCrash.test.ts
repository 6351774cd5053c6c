import { join } from 'node:path'
import * as server from 'node-appwrite'
import { describe, expect, it } from 'vitest'
import { cliServerClient, databasesFile, spawnEmulatorCli } from './emulatorHelpers'
import { cleanupAfterEach, tempDir } from './helpers'

// THE durability test: the emulator CLI as a child process on a data dir, a burst of createRow
// calls from node-appwrite, SIGKILL in the middle of it, a restart on the same dir, and a
// comparison with what the clients were told.

/** Bounds of the burst: writers at once, rows in all, and rows acknowledged before the kill. */
const WRITERS = 6
const MAX_ROWS = 1_500
const KILL_AFTER_ACKS = 120
const BURST_TIMEOUT_MS = 20_000

const cleanups = cleanupAfterEach()
const spawnEmulator = (args: string[]) => spawnEmulatorCli(cleanups, args)
const tablesDBAt = (endpoint: string) => new server.TablesDB(cliServerClient(endpoint))

const where = { databaseId: 'main', tableId: 'bookings' }

/** The data a row id was created with: sizes vary so records span different byte ranges. */
function dataFor(rowId: string, n: number) {
  return {
    n,
    note: `${rowId}:`.padEnd(40 + ((n * 7919) % 1_800), String.fromCharCode(97 + (n % 26))),
    tags: [`w${n % WRITERS}`, `n${n}`],
  }
}

async function allRows(endpoint: string) {
  const tablesDB = tablesDBAt(endpoint)
  const rows: Array<Record<string, unknown>> = []
  for (;;) {
    const queries = [server.Query.limit(100), server.Query.orderAsc('$sequence')]
    const last = rows[rows.length - 1]
    if (last !== undefined) queries.push(server.Query.cursorAfter(last.$id as string))
    const page = await tablesDBAt(endpoint).listRows({ ...where, queries })
    rows.push(...page.rows)
    if (page.rows.length < 100) break
  }
  void tablesDB
  return rows
}

describe('emulator crash', () => {
  it('should keep every acknowledged row, and no malformed one, after a SIGKILL mid-burst', async () => {
    const dir = await tempDir(cleanups, 'bg-crash-')
    const databases = await databasesFile(dir, {
      bookings: {
        columns: [
          { key: 'n', type: 'integer', required: true },
          { key: 'note', type: 'string', size: 2_000, required: true },
          { key: 'tags', type: 'string', size: 20, array: true },
        ],
      },
    })
    const data = join(dir, 'data')
    const args = ['--data', data, '--databases', databases]
    const first = await spawnEmulator(args)
    const tablesDB = tablesDBAt(first.endpoint)

    const sent = new Map<string, ReturnType<typeof dataFor>>()
    const acked = new Set<string>()
    let next = 0
    let killed = false
    const started = Date.now()
    const writer = async () => {
      while (!killed && next < MAX_ROWS && Date.now() - started < BURST_TIMEOUT_MS) {
        const n = next++
        const rowId = `row-${n}`
        const rowData = dataFor(rowId, n)
        sent.set(rowId, rowData)
        try {
          await tablesDB.createRow({ ...where, rowId, data: rowData })
        } catch (error) {
          // Only the kill may fail a write: the connection drops under it.
          if (!killed) throw error
          return
        }
        if (killed) return
        acked.add(rowId)
        if (acked.size >= KILL_AFTER_ACKS && !killed) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: WRITERS }, writer))
    expect(killed).toBe(true)
    await first.exited
    expect(first.child.signalCode).toBe('SIGKILL')
    // Writes were in flight when the process died.
    expect(sent.size).toBeGreaterThan(acked.size)

    const second = await spawnEmulator(args)
    const rows = await allRows(second.endpoint)
    const byId = new Map(rows.map((row) => [row.$id as string, row]))
    expect(byId.size).toBe(rows.length)
    for (const rowId of acked) {
      expect(byId.get(rowId), `acknowledged row ${rowId}`).toMatchObject(sent.get(rowId)!)
    }
    for (const row of rows) {
      const rowId = row.$id as string
      const expected = sent.get(rowId)
      expect(expected, `row ${rowId} was never sent`).toBeDefined()
      expect({ n: row.n, note: row.note, tags: row.tags }).toEqual(expected)
      expect(row.$sequence).toMatch(/^[1-9]\d*$/)
      expect(Number.isNaN(Date.parse(row.$createdAt as string))).toBe(false)
    }
    // The restarted emulator goes on: new rows take sequences past every row kept.
    const after = await tablesDBAt(second.endpoint).createRow({
      ...where,
      rowId: 'after-restart',
      data: dataFor('after-restart', 1),
    })
    const highest = Math.max(...rows.map((row) => Number(row.$sequence)))
    expect(Number(after.$sequence)).toBeGreaterThan(highest)
    second.child.kill('SIGTERM')
    await second.exited
    expect(second.child.exitCode).toBe(0)
  }, 90_000)
})
