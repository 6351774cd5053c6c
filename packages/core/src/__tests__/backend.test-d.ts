import type { Databases, Realtime, TablesDB } from 'appwrite'
import type { Databases as NodeDatabases, TablesDB as NodeTablesDB } from 'node-appwrite'
import { createFakeAppwrite } from '@booking-guard/testing'
import { describe, expectTypeOf, it } from 'vitest'
import type { DatabasesLike, RealtimeLike, TablesDBLike } from '../backend/types'
import type { PipelineStep } from '../errors'
import { createBookingGuard } from '../guard'
import type { BookingGuard, BookingGuardOptions } from '../guard'
import type { CreateBookingResult } from '../pipeline/createBooking'
import type { BookingGuardEvent } from '../pipeline/types'
import type { BookingStatus, PipelineStatus } from '../schema/schemas'

const fake = createFakeAppwrite()

describe('backend', () => {
  it('should accept the web SDK services', () => {
    expectTypeOf<TablesDB>().toExtend<TablesDBLike>()
    expectTypeOf<Databases>().toExtend<DatabasesLike>()
    expectTypeOf<Realtime>().toExtend<RealtimeLike>()
  })

  it('should accept the node-appwrite services', () => {
    expectTypeOf<NodeTablesDB>().toExtend<TablesDBLike>()
    expectTypeOf<NodeDatabases>().toExtend<DatabasesLike>()
  })

  it('should accept the fake, as a server and as a signed-in user', () => {
    expectTypeOf(fake.tablesDB).toExtend<TablesDBLike>()
    expectTypeOf(fake.databases).toExtend<DatabasesLike>()
    expectTypeOf(fake.realtime).toExtend<RealtimeLike>()
    expectTypeOf(fake.as('user:alice').tablesDB).toExtend<TablesDBLike>()
  })

  it('should refuse an object that lacks a method the pipeline needs', () => {
    const { deleteRow: _drop, ...partial } = {} as TablesDBLike
    expectTypeOf(partial).not.toExtend<TablesDBLike>()
    expectTypeOf<{ createRow(params: { rowId: number }): Promise<unknown> }>().not.toExtend<
      Pick<TablesDBLike, 'createRow'>
    >()
  })

  it('should let createBookingGuard take either service', () => {
    expectTypeOf(createBookingGuard).parameter(0).toEqualTypeOf<BookingGuardOptions>()
    expectTypeOf({ tablesDB: {} as TablesDB, databaseId: 'main' }).toExtend<BookingGuardOptions>()
    expectTypeOf({
      databases: {} as NodeDatabases,
      databaseId: 'main',
    }).toExtend<BookingGuardOptions>()
    expectTypeOf(createBookingGuard).returns.toEqualTypeOf<BookingGuard>()
  })

  it('should type results and events precisely', () => {
    expectTypeOf<CreateBookingResult['booking']['status']>().toEqualTypeOf<BookingStatus>()
    expectTypeOf<CreateBookingResult['booking']['pipelineStatus']>().toEqualTypeOf<PipelineStatus>()
    expectTypeOf<CreateBookingResult['mode']>().toEqualTypeOf<'transaction' | 'saga'>()
    const listener = (event: BookingGuardEvent) => {
      if (event.type === 'pipelineFailed') {
        expectTypeOf(event.step).toEqualTypeOf<PipelineStep>()
        expectTypeOf(event.compensated).toBeBoolean()
      }
      if (event.type === 'pushFailed') expectTypeOf(event.notificationId).toBeString()
    }
    expectTypeOf(listener).toBeFunction()
  })
})
