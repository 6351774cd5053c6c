import { describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../index'
import { createIncidentDatabase } from '../fixtures'

describe('incidentDatabase', () => {
  it('should write the incident rows through the legacy Databases API and list what it planted', async () => {
    const incident = await createIncidentDatabase({ healthyBookings: 2 })
    const snapshot = incident.fake.snapshot()[incident.databaseId]!
    expect(Object.keys(snapshot).sort()).toEqual([
      'bookings_collection_id',
      'chat_messages',
      'chat_rooms',
      'messages',
      'notifications',
    ])
    expect(snapshot.bookings_collection_id!.map((row) => row.$id)).toEqual(incident.bookingIds)
    const therapist = snapshot.bookings_collection_id!.find((row) => row.$id === 'b-therapist')!
    expect(therapist.therapistId).toBe(therapist.providerId)
    expect(snapshot.messages!.map((row) => row.$id)).toEqual([
      'ntf-b-stray-notice',
      'msg-b-stray-message',
    ])
    expect(incident.problems).toContainEqual({
      code: 'duplicateSlot',
      tableId: 'bookings_collection_id',
      rowId: 'b-dup-2',
    })
    expect(new Set(incident.problems.map((p) => p.code)).size).toBe(9)
    const stuck = snapshot.bookings_collection_id!.find((row) => row.$id === 'b-stuck-1')!
    expect(incident.clock.now() - Date.parse(stuck.$createdAt)).toBeGreaterThanOrEqual(
      3 * 86_400_000,
    )
  })

  it('should scale its healthy bookings and write into a given fake', async () => {
    const clock = createManualClock()
    const fake = createFakeAppwrite({ clock })
    const incident = await createIncidentDatabase({ fake, clock, healthyBookings: 20 })
    expect(incident.fake).toBe(fake)
    expect(incident.bookingIds.filter((id) => id.startsWith('b-ok-'))).toHaveLength(20)
    await expect(createIncidentDatabase({ fake })).rejects.toThrow(/pass the `clock`/)
  })
})
