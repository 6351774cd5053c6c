import { describe, expect, it } from 'vitest'
import { createFakeAppwrite, createManualClock } from '../index'
import type { FunctionContext } from '../index'
import { appwriteError, rejection } from './helpers'

describe('functionsDelete', () => {
  it('should delete a finished execution and refuse one still waiting until it finished', async () => {
    const clock = createManualClock()
    const fake = createFakeAppwrite({
      clock,
      functions: { ok: ({ res }: FunctionContext) => res.send('OK') },
    })
    const done = await fake.functions.createExecution({ functionId: 'ok' })
    expect(
      await fake.functions.deleteExecution({ functionId: 'ok', executionId: done.$id }),
    ).toEqual({})
    expect(
      await rejection(fake.functions.getExecution({ functionId: 'ok', executionId: done.$id })),
    ).toMatchObject(appwriteError(404, 'execution_not_found'))
    const waiting = await fake.functions.createExecution({ functionId: 'ok', async: true })
    expect(
      await rejection(
        fake.functions.deleteExecution({ functionId: 'ok', executionId: waiting.$id }),
      ),
    ).toMatchObject(appwriteError(400, 'execution_in_progress'))
    await clock.advance(1)
    await fake.functions.deleteExecution({ functionId: 'ok', executionId: waiting.$id })
    expect((await fake.functions.listExecutions({ functionId: 'ok' })).total).toBe(0)
  })
})
