import { Query, TablesDB } from 'node-appwrite'
import WebSocket from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeAppwrite } from '../index'
import { startAppwriteEmulator } from '../emulator'
import type { AppwriteEmulator } from '../emulator'
import { parsePhpInput } from '../emulator/requestInput'
import { serverClient } from './emulatorHelpers'
import { mainDatabase } from './helpers'

const fake = createFakeAppwrite({
  databases: mainDatabase({
    items: {
      columns: [
        { key: 'owner', type: 'string', size: 36 },
        { key: 'n', type: 'integer' },
      ],
    },
  }),
})

let emulator: AppwriteEmulator
let lenient: AppwriteEmulator
let strictParams: AppwriteEmulator
let admin: TablesDB

const ROWS = '/tablesdb/main/tables/items/rows'
const OBJECT_FORM = 'queries[0][method]=equal&queries[0][attribute]=owner&queries[0][values][0]=bob'
const QUERIES_INVALID =
  'Invalid `queries` param: Value must a valid array no longer than 100 items and Value must be a valid string and at least 1 chars and no longer than 4096 chars'

/** A raw request with the API key; `body` is sent as JSON unless a content type is given. */
async function send(
  target: AppwriteEmulator,
  method: string,
  path: string,
  body?: string | object,
  contentType = 'application/json',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    'x-appwrite-project': target.projectId,
    'x-appwrite-key': target.apiKey,
  }
  if (body !== undefined) headers['content-type'] = contentType
  const response = await fetch(`${target.endpoint}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? {} : JSON.parse(text) }
}

const owners = async () =>
  (await admin.listRows({ databaseId: 'main', tableId: 'items' })).rows
    .map((row) => row.owner as string)
    .sort()

beforeAll(async () => {
  emulator = await startAppwriteEmulator({ fake })
  lenient = await startAppwriteEmulator({ fake, strict: false })
  strictParams = await startAppwriteEmulator({ fake, strictParams: true })
  admin = new TablesDB(serverClient(emulator))
})

afterAll(async () => {
  await emulator.close()
  await lenient.close()
  await strictParams.close()
})

beforeEach(async () => {
  fake.reset()
  await admin.createRows({
    databaseId: 'main',
    tableId: 'items',
    rows: ['ann', 'bob', 'cat', 'dan', 'eve'].map((owner, n) => ({ $id: owner, owner, n })),
  })
})

describe('parsePhpInput', () => {
  it('should nest bracketed names to any depth as PHP fills $_GET', () => {
    expect(parsePhpInput(new URLSearchParams(OBJECT_FORM))).toEqual({
      queries: [{ method: 'equal', attribute: 'owner', values: ['bob'] }],
    })
    expect(parsePhpInput(new URLSearchParams('a[]=1&a[]=2&b[x][]=3&b[y]=4&c.d=5&e=6&e=7'))).toEqual(
      { a: ['1', '2'], b: { x: ['3'], y: '4' }, c_d: '5', e: '7' },
    )
  })

  it('should drop a name nested deeper than 64 levels, or refuse it when strict', () => {
    const deep = `q${'[a]'.repeat(65)}=1&ok=1`
    expect(parsePhpInput(new URLSearchParams(deep))).toEqual({ ok: '1' })
    expect(() => parsePhpInput(new URLSearchParams(deep), true)).toThrow(
      /Param "q" nests 65 levels/,
    )
    expect(parsePhpInput(new URLSearchParams(`q${'[a]'.repeat(64)}=1`))).toHaveProperty('q')
  })
})

describe('startAppwriteEmulator request input', () => {
  it('should refuse queries sent in object form on a list with the server error, not list every row', async () => {
    const { status, json } = await send(emulator, 'GET', `${ROWS}?${OBJECT_FORM}`)
    expect(status).toBe(400)
    expect(json).toMatchObject({ type: 'general_argument_invalid', message: QUERIES_INVALID })
  })

  it('should refuse a bulk delete whose queries are objects and delete nothing', async () => {
    const { status, json } = await send(emulator, 'DELETE', ROWS, {
      queries: [{ method: 'equal', attribute: 'owner', values: ['bob'] }],
    })
    expect(status).toBe(400)
    expect(json).toMatchObject({ type: 'general_argument_invalid', message: QUERIES_INVALID })
    expect(await owners()).toEqual(['ann', 'bob', 'cat', 'dan', 'eve'])
  })

  it('should refuse a bulk delete with its queries in the query string, which the server would ignore', async () => {
    const query = `queries[0]=${encodeURIComponent(Query.equal('owner', 'bob'))}`
    const { status, json } = await send(emulator, 'DELETE', `${ROWS}?${query}`)
    expect(status).toBe(400)
    expect(json.type).toBe('general_argument_invalid')
    expect(json.message).toMatch(
      /^Param "queries" was sent in the query string of a DELETE request/,
    )
    expect(await owners()).toEqual(['ann', 'bob', 'cat', 'dan', 'eve'])
  })

  it('should read only the body of a DELETE when lenient, as the server does', async () => {
    const query = `queries[0]=${encodeURIComponent(Query.equal('owner', 'bob'))}`
    const { status } = await send(lenient, 'DELETE', `${ROWS}?${query}`)
    expect(status).toBe(200)
    expect(await owners()).toEqual([])
  })

  it('should read the project from the query string of a POST', async () => {
    const response = await fetch(`${emulator.endpoint}${ROWS}?project=${emulator.projectId}`, {
      method: 'POST',
      headers: { 'x-appwrite-key': emulator.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ rowId: 'fay', data: { owner: 'fay' } }),
    })
    expect(response.status).toBe(201)
  })

  it('should refuse a parameter the route does not declare with strictParams, naming it and the ones it takes', async () => {
    const { status, json } = await send(strictParams, 'POST', ROWS, {
      rowID: 'x',
      data: { owner: 'x' },
    })
    expect(status).toBe(400)
    expect(json.type).toBe('general_argument_invalid')
    expect(json.message).toContain('Unknown param "rowID" for POST')
    expect(json.message).toContain('"rowId", "data", "permissions", "rows", "transactionId"')
    const list = await send(strictParams, 'GET', `${ROWS}?query[]=x`)
    expect(list.json.message).toContain('Unknown param "query"')
    const schema = await send(strictParams, 'POST', '/tablesdb/main/tables/items/columns/string', {
      key: 'c',
      size: 10,
      required: false,
      min: 1,
    })
    expect(schema.json.message).toContain('Unknown param "min"')
    const transaction = await send(strictParams, 'POST', '/tablesdb/transactions', { tll: 60 })
    expect(transaction.json.message).toContain('Unknown param "tll"')
  })

  it('should check access before parameters, as the server does', async () => {
    const response = await fetch(`${emulator.endpoint}${ROWS}`, {
      method: 'DELETE',
      headers: { 'x-appwrite-project': emulator.projectId, 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [] }),
    })
    expect(response.status).toBe(401)
  })

  it.each([
    ['by default', () => emulator],
    ['when lenient', () => lenient],
  ])('should ignore an undeclared parameter %s, as the server does', async (_, target) => {
    const { status, json } = await send(target(), 'POST', ROWS, {
      rowId: 'fay',
      data: { owner: 'fay' },
      extra: 1,
    })
    expect(status).toBe(201)
    expect(json).not.toHaveProperty('extra')
    expect(await owners()).toContain('fay')
  })

  it('should read form-encoded bodies as the server does', async () => {
    const form = 'rowId=fay&data[owner]=fay&permissions[]=read("any")'
    const { status, json } = await send(
      emulator,
      'POST',
      ROWS,
      form,
      'application/x-www-form-urlencoded',
    )
    expect(status).toBe(201)
    expect(json).toMatchObject({ $id: 'fay', owner: 'fay', $permissions: ['read("any")'] })
    const multipart = new FormData()
    multipart.set('rowId', 'gus')
    multipart.set('data[owner]', 'gus')
    const response = await fetch(`${emulator.endpoint}${ROWS}`, {
      method: 'POST',
      headers: { 'x-appwrite-project': emulator.projectId, 'x-appwrite-key': emulator.apiKey },
      body: multipart,
    })
    expect(response.status).toBe(201)
    expect(await owners()).toContain('gus')
  })

  it('should answer a JSON body nested 5,000 levels deep with a 400, not a 500', async () => {
    const deep = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)
    const { status, json } = await send(emulator, 'POST', ROWS, `{"rowId":"deep","data":${deep}}`)
    expect(status).toBe(400)
    expect(json).toMatchObject({ type: 'general_argument_invalid', code: 400, version: '1.9.6' })
    expect(json.message).toMatch(/more than 512 levels deep/)
    // As the server, a lenient emulator reads such a body as no parameters at all.
    const loose = await send(lenient, 'POST', ROWS, `{"rowId":"deep","data":${deep}}`)
    expect(loose.status).toBe(400)
    expect(loose.json.type).toBe('row_missing_data')
  })

  it('should answer a realtime message nested 5,000 levels deep with a format error', async () => {
    const ws = new WebSocket(`${emulator.realtimeEndpoint}/realtime?project=${emulator.projectId}`)
    const frames: Array<{ type: string; data: { code?: number; message?: string } }> = []
    const next = () =>
      new Promise<(typeof frames)[number]>((resolve) =>
        ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))),
      )
    frames.push(await next())
    const deep = '['.repeat(5_000) + ']'.repeat(5_000)
    const answer = next()
    ws.send(`{"type":"subscribe","data":${deep}}`)
    frames.push(await answer)
    ws.close()
    expect(frames.map((frame) => frame.type)).toEqual(['connected', 'error'])
    expect(frames[1]?.data).toEqual({ code: 1003, message: 'Message format is not valid.' })
  })
})
