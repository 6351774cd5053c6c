import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expect, it } from 'vitest'
import { createAppwriteBackend } from '../backend/appwriteBackend'
import type { DatabasesLike } from '../backend/types'
import { overriding, recording } from './callProxies'

describe('appwriteBackend', () => {
  it('should emulate upsert with update, then create, on a Databases service without upsertDocument', async () => {
    const fake = createFakeAppwrite({ databases: { main: { tables: { bookings: {} } } } })
    const { proxy, calls } = recording(
      overriding(fake.databases as DatabasesLike, { upsertDocument: undefined }),
    )
    const backend = createAppwriteBackend({ databases: proxy, databaseId: 'main' })

    const created = await backend.upsert('bookings', 'b1', { status: 'pending' }, ['read("any")'])
    expect(created).toMatchObject({ $id: 'b1', status: 'pending', $permissions: ['read("any")'] })
    expect(calls).toEqual(['updateDocument', 'createDocument'])

    calls.length = 0
    const updated = await backend.upsert('bookings', 'b1', { status: 'confirmed' })
    expect(updated).toMatchObject({ $id: 'b1', status: 'confirmed' })
    expect(calls).toEqual(['updateDocument'])
  })
})
