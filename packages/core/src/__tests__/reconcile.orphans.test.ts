// The orphan sweep deletes the rows it pages through. Appwrite answers a cursor that names a row
// no longer there with an error (`Row '…' for the 'cursor' value not found`), so a sweep that
// pages on from a row it just removed stops after its first page and leaves the rest behind.
// Found by the stress scenario (bench/stress/run.ts): orphans of failed bookings outlived the pass.
import { describe, expect, it } from 'vitest'
import { DB, bookingInput, fulfilled, harness } from './pipelineFixtures'

describe('reconcile', () => {
  describe('orphan sweep past one page', () => {
    it('should remove every orphan when a page ends on a row it removed', async () => {
      const h = harness()
      const count = 150 // more than one page of 100
      for (let i = 0; i < count; i++) {
        fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      }
      // The bookings vanish (removed by hand, or never landed): their rows are orphans.
      for (const row of h.rows('bookings')) {
        await h.fake.tablesDB.deleteRow({ databaseId: DB, tableId: 'bookings', rowId: row.$id })
      }
      expect(h.invariantViolations()).toHaveLength(count * 3)

      const report = fulfilled(await h.settle(h.guard.reconcile({ olderThanMs: 0 })))

      expect(report.errors).toEqual([])
      expect(report.complete).toBe(true)
      expect(report.orphans.removed).toHaveLength(count * 3)
      expect(h.invariantViolations()).toEqual([])
    })

    it('should keep paging when only some rows of a page are orphans', async () => {
      const h = harness()
      const count = 120
      for (let i = 0; i < count; i++) {
        fulfilled(await h.settle(h.guard.createBooking(bookingInput())))
      }
      // Every second booking vanishes, including the one whose room ends the first page.
      const bookings = h.rows('bookings')
      const doomed = bookings.filter((_, i) => i % 2 === 1)
      for (const row of doomed) {
        await h.fake.tablesDB.deleteRow({ databaseId: DB, tableId: 'bookings', rowId: row.$id })
      }

      const report = fulfilled(await h.settle(h.guard.reconcile({ olderThanMs: 0 })))

      expect(report.errors).toEqual([])
      expect(report.orphans.removed).toHaveLength(doomed.length * 3)
      expect(h.invariantViolations()).toEqual([])
      expect(h.rows('chat_rooms')).toHaveLength(count - doomed.length)
    })
  })
})
