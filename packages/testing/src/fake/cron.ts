/**
 * A five-field cron expression (`minute hour day-of-month month day-of-week`, UTC), as Appwrite
 * Functions' `schedule` takes it: `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`.
 * Day-of-week 0 and 7 are Sunday. When both day fields are restricted, either may match (Vixie cron).
 *
 * @internal
 */
export interface CronSchedule {
  /** The first matching minute strictly after `epochMs`, in epoch milliseconds. */
  next(epochMs: number): number
}

const FIELDS: ReadonlyArray<readonly [string, number, number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
]

function parseField(text: string, name: string, min: number, max: number): Set<number> {
  const values = new Set<number>()
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined]
    const step = stepText === undefined ? 1 : Number(stepText)
    let from: number
    let to: number
    if (range === '*') {
      from = min
      to = max
    } else if (range.includes('-')) {
      const [a, b] = range.split('-')
      from = Number(a)
      to = Number(b)
    } else {
      from = Number(range)
      to = stepText === undefined ? from : max
    }
    if (
      !Number.isInteger(from) ||
      !Number.isInteger(to) ||
      !Number.isInteger(step) ||
      step < 1 ||
      from < min ||
      to > max ||
      from > to
    )
      throw new Error(`invalid cron ${name} \`${part}\`: use ${min}-${max}, *, a-b, */n or lists`)
    for (let value = from; value <= to; value += step) values.add(value)
  }
  return values
}

/** Parses a cron expression; throws a message naming the bad field. @internal */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/)
  if (parts.length !== 5)
    throw new Error(
      `invalid cron expression \`${expression}\`: expected 5 fields (minute hour day-of-month month day-of-week)`,
    )
  const [minutes, hours, days, months, weekdays] = parts.map((part, i) => {
    const [name, min, max] = FIELDS[i] as readonly [string, number, number]
    return parseField(part, name, min, max)
  }) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  if (weekdays.has(7)) weekdays.add(0)
  const anyDay = parts[2] === '*'
  const anyWeekday = parts[4] === '*'
  const dayMatches = (date: Date) => {
    const dom = days.has(date.getUTCDate())
    const dow = weekdays.has(date.getUTCDay())
    if (anyDay && anyWeekday) return true
    if (anyDay) return dow
    if (anyWeekday) return dom
    return dom || dow
  }
  return {
    next(epochMs) {
      // Up to ~4 years of minutes; a valid expression always matches well before.
      let t = Math.floor(epochMs / 60_000) * 60_000 + 60_000
      for (let i = 0; i < 2_200_000; i++, t += 60_000) {
        const date = new Date(t)
        if (!months.has(date.getUTCMonth() + 1) || !dayMatches(date)) {
          // Skip to the next day.
          t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1) - 60_000
          continue
        }
        if (!hours.has(date.getUTCHours())) {
          t =
            Date.UTC(
              date.getUTCFullYear(),
              date.getUTCMonth(),
              date.getUTCDate(),
              date.getUTCHours() + 1,
            ) - 60_000
          continue
        }
        if (minutes.has(date.getUTCMinutes())) return t
      }
      throw new Error(`cron expression \`${expression}\` never matches`)
    },
  }
}
