import { describe, expect, it } from 'vitest'
import { Router } from '../emulator/router'

const handler = () => ({ status: 200 })

function router(): Router {
  return new Router()
    .add('GET', '/v1/tablesdb/:databaseId/tables/:tableId/rows', handler, { params: ['queries'] })
    .add('GET', '/v1/tablesdb/:databaseId/tables/:tableId/rows/:rowId', handler)
    .add('GET', '/v1/tablesdb/:databaseId/tables/:tableId/rows/fixed', handler)
    .add('POST', '/v1/tablesdb/:databaseId/tables/:tableId/rows', handler)
}

describe('emulatorRouter', () => {
  it('should match by method, number of segments and fixed segments, first registered first', () => {
    const routes = router()
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/rows')?.pattern).toBe(
      '/v1/tablesdb/:databaseId/tables/:tableId/rows',
    )
    // Both item routes fit `rows/fixed`: the one registered first wins, as utopia-php's router does.
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/rows/fixed')).toMatchObject({
      pattern: '/v1/tablesdb/:databaseId/tables/:tableId/rows/:rowId',
      path: { databaseId: 'db', tableId: 't', rowId: 'fixed' },
    })
    expect(routes.match('PUT', '/v1/tablesdb/db/tables/t/rows')).toBeUndefined()
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/columns')).toBeUndefined()
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/rows/r1/x')).toBeUndefined()
  })

  it('should decode path parameters, skip a route whose parameter is a malformed escape, and ignore empty segments', () => {
    const routes = router()
    expect(routes.match('GET', '/v1/tablesdb/my%20db/tables/t/rows/r%2F1')?.path).toEqual({
      databaseId: 'my db',
      tableId: 't',
      rowId: 'r/1',
    })
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/rows/%E0%A4%A')).toBeUndefined()
    const skipping = new Router().add('GET', '/v1/:name', handler).add('GET', '/v1/%zz', handler)
    expect(skipping.match('GET', '/v1/%zz')?.pattern).toBe('/v1/%zz')
    expect(skipping.match('GET', '/v1/a%20b')?.path).toEqual({ name: 'a b' })
    expect(routes.match('GET', '/v1/tablesdb/%E0%A4%A/tables/t/rows')).toBeUndefined()
    expect(routes.match('GET', '//v1/tablesdb/db//tables/t/rows/')?.path).toEqual({
      databaseId: 'db',
      tableId: 't',
    })
  })

  it('should list every route and the declared parameters with the path ones', () => {
    const routes = router()
    expect(routes.list()).toEqual([
      'GET /v1/tablesdb/:databaseId/tables/:tableId/rows',
      'GET /v1/tablesdb/:databaseId/tables/:tableId/rows/:rowId',
      'GET /v1/tablesdb/:databaseId/tables/:tableId/rows/fixed',
      'POST /v1/tablesdb/:databaseId/tables/:tableId/rows',
    ])
    expect([...routes.match('GET', '/v1/tablesdb/db/tables/t/rows')!.params!]).toEqual([
      'queries',
      'databaseId',
      'tableId',
    ])
    expect(routes.match('POST', '/v1/tablesdb/db/tables/t/rows')!.params).toBeUndefined()
  })
  it('should answer a path asked again as the first time, frozen, and see a route added later', () => {
    const routes = router()
    const first = routes.match('GET', '/v1/tablesdb/db/tables/t/rows/r1')
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/rows/r1')).toEqual(first)
    expect(Object.isFrozen(first) && Object.isFrozen(first!.path)).toBe(true)
    expect(routes.match('GET', '/v1/tablesdb/db/tables/t/rows/r2')?.path.rowId).toBe('r2')
    expect(routes.match('GET', '/v1/teams')).toBeUndefined()
    routes.add('GET', '/v1/teams', handler)
    expect(routes.match('GET', '/v1/teams')?.pattern).toBe('/v1/teams')
    for (let i = 0; i < 1_200; i++)
      expect(routes.match('GET', `/v1/tablesdb/db/tables/t/rows/r${i}`)?.path.rowId).toBe(`r${i}`)
  })
})
