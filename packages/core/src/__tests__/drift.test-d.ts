import type { createFakeAppwrite } from '@booking-guard/testing'
import type { TablesDB } from 'node-appwrite'
import { describe, expectTypeOf, it } from 'vitest'
import type {
  DriftFinding,
  DriftFindingKind,
  DriftReport,
  ProvisionPlan,
  ProvisionSchemaOptions,
  TablesDBAdminLike,
} from '../admin'
import { checkSchemaDrift, provisionSchema } from '../admin'

type FakeAdmin = ReturnType<typeof createFakeAppwrite>['admin']

describe('drift', () => {
  it('should accept node-appwrite TablesDB as the admin client', () => {
    expectTypeOf<TablesDB>().toExtend<TablesDBAdminLike>()
  })

  it("should accept the fake's admin as the admin client", () => {
    expectTypeOf<FakeAdmin>().toExtend<TablesDBAdminLike>()
  })

  it('should refuse a client without the methods it calls', () => {
    expectTypeOf<Omit<TablesDB, 'createIndex'>>().not.toExtend<TablesDBAdminLike>()
    expectTypeOf<Omit<TablesDB, 'getTable'>>().not.toExtend<TablesDBAdminLike>()
  })

  it('should expose no method that deletes or changes anything', () => {
    type Methods = keyof TablesDBAdminLike
    expectTypeOf<Extract<Methods, `delete${string}` | `update${string}`>>().toEqualTypeOf<never>()
  })

  it('should type the report and the plan', () => {
    expectTypeOf(checkSchemaDrift).returns.resolves.toEqualTypeOf<DriftReport>()
    expectTypeOf(provisionSchema).returns.resolves.toEqualTypeOf<ProvisionPlan>()
    expectTypeOf<DriftFinding['table']>().toEqualTypeOf<string | null>()
    expectTypeOf<DriftFinding['severity']>().toEqualTypeOf<'error' | 'warning' | 'info'>()
    expectTypeOf<'missing-table'>().toExtend<DriftFindingKind>()
    expectTypeOf<'missing-row'>().not.toExtend<DriftFindingKind>()
    expectTypeOf<ProvisionSchemaOptions['tablePermissions']>().toEqualTypeOf<
      | Partial<
          Record<
            'booking' | 'chatRoom' | 'chatMessage' | 'notification' | 'heartbeat',
            readonly string[]
          >
        >
      | undefined
    >()
  })
})
