import { describe, expect, it } from 'vitest'
import { formatRealtimeTimestamp, rowEventChannels, rowEventNames } from '../fake/channels'

const target = { databaseId: 'db', tableId: 't', rowId: 'r', action: 'create' } as const

describe('channels', () => {
  it('should list the sixteen channels the server publishes a row event on, in its order', () => {
    expect(rowEventChannels(target)).toEqual([
      'documents',
      'databases.db.collections.t.documents',
      'databases.db.collections.t.documents.r',
      'rows',
      'databases.db.tables.t.rows',
      'databases.db.tables.t.rows.r',
      'tablesdb.db.tables.t.rows',
      'tablesdb.db.tables.t.rows.r',
      'documents.create',
      'databases.db.collections.t.documents.create',
      'databases.db.collections.t.documents.r.create',
      'rows.create',
      'databases.db.tables.t.rows.create',
      'databases.db.tables.t.rows.r.create',
      'tablesdb.db.tables.t.rows.create',
      'tablesdb.db.tables.t.rows.r.create',
    ])
  })

  it('should suffix the channels with each action', () => {
    for (const action of ['update', 'upsert', 'delete'] as const) {
      const channels = rowEventChannels({ ...target, action })
      expect(channels).toContain(`tablesdb.db.tables.t.rows.r.${action}`)
      expect(channels).toContain(`documents.${action}`)
      expect(channels.filter((c) => c.endsWith(`.${action}`))).toHaveLength(8)
    }
  })

  // Captured from the server's Event::generateEvents + mirrorCollectionEvents (Appwrite 1.9.6) for
  // databases.[databaseId].collections.[collectionId].documents.[documentId].create with the
  // params the row routes set: databaseId, collectionId, tableId, documentId, rowId.
  it('should list every event name of a tablesdb database in the server order', () => {
    expect(rowEventNames(target)).toEqual([
      'tablesdb.db.tables.t.rows.r.create',
      'databases.db.collections.t.documents.r.create',
      'databases.db.tables.t.rows.r.create',
      'tablesdb.*.tables.*.rows.*.create',
      'databases.*.collections.*.documents.*.create',
      'databases.*.tables.*.rows.*.create',
      'tablesdb.db.tables.*.rows.r.create',
      'databases.db.collections.*.documents.r.create',
      'databases.db.tables.*.rows.r.create',
      'tablesdb.*.tables.*.rows.r.create',
      'databases.*.collections.*.documents.r.create',
      'databases.*.tables.*.rows.r.create',
      'tablesdb.*.tables.t.rows.r.create',
      'databases.*.collections.t.documents.r.create',
      'databases.*.tables.t.rows.r.create',
      'tablesdb.db.tables.t.rows.*.create',
      'databases.db.collections.t.documents.*.create',
      'databases.db.tables.t.rows.*.create',
      'tablesdb.*.tables.t.rows.*.create',
      'databases.*.collections.t.documents.*.create',
      'databases.*.tables.t.rows.*.create',
      'tablesdb.db.tables.*.rows.*.create',
      'databases.db.collections.*.documents.*.create',
      'databases.db.tables.*.rows.*.create',
      'tablesdb.db.tables.t.rows.r',
      'databases.db.collections.t.documents.r',
      'databases.db.tables.t.rows.r',
      'tablesdb.*.tables.*.rows.*',
      'databases.*.collections.*.documents.*',
      'databases.*.tables.*.rows.*',
      'tablesdb.db.tables.*.rows.r',
      'databases.db.collections.*.documents.r',
      'databases.db.tables.*.rows.r',
      'tablesdb.*.tables.*.rows.r',
      'databases.*.collections.*.documents.r',
      'databases.*.tables.*.rows.r',
      'tablesdb.*.tables.t.rows.r',
      'databases.*.collections.t.documents.r',
      'databases.*.tables.t.rows.r',
      'tablesdb.db.tables.t.rows.*',
      'databases.db.collections.t.documents.*',
      'databases.db.tables.t.rows.*',
      'tablesdb.*.tables.t.rows.*',
      'databases.*.collections.t.documents.*',
      'databases.*.tables.t.rows.*',
      'tablesdb.db.tables.*.rows.*',
      'databases.db.collections.*.documents.*',
      'databases.db.tables.*.rows.*',
      'tablesdb.db.tables.t',
      'databases.db.collections.t',
      'databases.db.tables.t',
      'tablesdb.*.tables.*',
      'databases.*.collections.*',
      'databases.*.tables.*',
      'tablesdb.db.tables.*',
      'databases.db.collections.*',
      'databases.db.tables.*',
      'tablesdb.*.tables.t',
      'databases.*.collections.t',
      'databases.*.tables.t',
      'tablesdb.db',
      'databases.db',
      'tablesdb.*',
      'databases.*',
    ])
  })

  it('should list the event names of a legacy database without the tablesdb form', () => {
    expect(rowEventNames({ ...target, databaseType: 'legacy' })).toEqual([
      'databases.db.collections.t.documents.r.create',
      'databases.db.tables.t.rows.r.create',
      'databases.*.collections.*.documents.*.create',
      'databases.*.tables.*.rows.*.create',
      'databases.db.collections.*.documents.r.create',
      'databases.db.tables.*.rows.r.create',
      'databases.*.collections.*.documents.r.create',
      'databases.*.tables.*.rows.r.create',
      'databases.*.collections.t.documents.r.create',
      'databases.*.tables.t.rows.r.create',
      'databases.db.collections.t.documents.*.create',
      'databases.db.tables.t.rows.*.create',
      'databases.*.collections.t.documents.*.create',
      'databases.*.tables.t.rows.*.create',
      'databases.db.collections.*.documents.*.create',
      'databases.db.tables.*.rows.*.create',
      'databases.db.collections.t.documents.r',
      'databases.db.tables.t.rows.r',
      'databases.*.collections.*.documents.*',
      'databases.*.tables.*.rows.*',
      'databases.db.collections.*.documents.r',
      'databases.db.tables.*.rows.r',
      'databases.*.collections.*.documents.r',
      'databases.*.tables.*.rows.r',
      'databases.*.collections.t.documents.r',
      'databases.*.tables.t.rows.r',
      'databases.db.collections.t.documents.*',
      'databases.db.tables.t.rows.*',
      'databases.*.collections.t.documents.*',
      'databases.*.tables.t.rows.*',
      'databases.db.collections.*.documents.*',
      'databases.db.tables.*.rows.*',
      'databases.db.collections.t',
      'databases.db.tables.t',
      'databases.*.collections.*',
      'databases.*.tables.*',
      'databases.db.collections.*',
      'databases.db.tables.*',
      'databases.*.collections.t',
      'databases.*.tables.t',
      'databases.db',
      'databases.*',
    ])
  })

  it('should contain every name the server unit test asserts for a tables row event', () => {
    const names = rowEventNames({
      databaseId: 'chaptersDB',
      tableId: 'chapters',
      rowId: 'prolog',
      action: 'create',
    })
    for (const name of [
      'databases.chaptersDB.tables.chapters.rows.prolog.create',
      'databases.chaptersDB.tables.chapters.rows.prolog',
      'databases.chaptersDB.tables.chapters.rows.*.create',
      'databases.chaptersDB.tables.chapters',
      'databases.chaptersDB.tables.*.rows.prolog.create',
      'databases.chaptersDB',
      'databases.*.tables.chapters.rows.prolog.create',
      'databases.*.tables.*.rows.*.create',
      'databases.*.tables.*',
      'databases.*',
      'databases.*.tables.chapters.rows.*.create',
      'databases.chaptersDB.tables.*.rows.*.create',
    ])
      expect(names).toContain(name)
  })

  it('should put the action in the names of update, upsert and delete events', () => {
    expect(rowEventNames({ ...target, action: 'delete' })[0]).toBe(
      'tablesdb.db.tables.t.rows.r.delete',
    )
    expect(rowEventNames({ ...target, action: 'upsert' })).toContain(
      'databases.*.collections.*.documents.*.upsert',
    )
    expect(rowEventNames({ ...target, action: 'update' })).not.toContain(
      'databases.db.tables.t.rows.r.create',
    )
  })

  it('should format timestamps like the server, with milliseconds and a +00:00 offset', () => {
    expect(formatRealtimeTimestamp(Date.parse('2026-01-01T09:30:05.042Z'))).toBe(
      '2026-01-01T09:30:05.042+00:00',
    )
  })
})
