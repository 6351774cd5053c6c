import { describe, expect, it } from 'vitest'
import { fakeWithTable } from './helpers'

const databaseId = 'main'
const tableId = 'movies'
const ref = { databaseId, tableId }

/** A fake whose `movies` table has three string columns adding up to 1280 characters. */
async function setup() {
  const { admin } = await fakeWithTable({ tableId, name: 'Movies' })
  await admin.createStringColumn({ ...ref, key: 'title', size: 256, required: false })
  await admin.createStringColumn({ ...ref, key: 'description', size: 512, required: false })
  await admin.createStringColumn({ ...ref, key: 'tagline', size: 512, required: false })
  return admin
}

const TOO_LONG = {
  code: 400,
  type: 'column_index_invalid',
  message: 'Index length is longer than the maximum: 768',
}

describe('indexLength', () => {
  it('should refuse a key or unique index whose string columns add up past 768 characters', async () => {
    const admin = await setup()
    const columns = ['title', 'description', 'tagline']
    await expect(
      admin.createIndex({ ...ref, key: 'all', type: 'key', columns }),
    ).rejects.toMatchObject(TOO_LONG)
    await expect(
      admin.createIndex({ ...ref, key: 'all', type: 'unique', columns }),
    ).rejects.toMatchObject(TOO_LONG)
    const fits = await admin.createIndex({
      ...ref,
      key: 'all',
      type: 'key',
      columns,
      lengths: [256, 256, 256],
    })
    expect(fits.key).toBe('all')
  })

  it('should refuse to grow an indexed string column past the limit and keep its size', async () => {
    const admin = await setup()
    await admin.createIndex({ ...ref, key: 'pair', type: 'key', columns: ['title', 'description'] })
    await expect(
      admin.updateStringColumn({
        ...ref,
        key: 'title',
        required: false,
        xdefault: null,
        size: 300,
      }),
    ).rejects.toMatchObject(TOO_LONG)
    expect(await admin.getColumn({ ...ref, key: 'title' })).toMatchObject({ size: 256 })
  })
})
