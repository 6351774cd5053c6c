// `pnpm --filter react-booking dev`: the app on the emulator, or on a real Appwrite project when
// VITE_APPWRITE_ENDPOINT and VITE_APPWRITE_PROJECT are set (then APPWRITE_API_KEY too).
import { therapistsFromEnv } from './people'
import { startStack } from './stack'

const env = process.env
const endpoint = env.VITE_APPWRITE_ENDPOINT
const projectId = env.VITE_APPWRITE_PROJECT
if (
  (endpoint === undefined) !== (projectId === undefined) ||
  (endpoint !== undefined && !env.APPWRITE_API_KEY)
) {
  console.error(
    'react-booking: for a real Appwrite project set VITE_APPWRITE_ENDPOINT, VITE_APPWRITE_PROJECT and APPWRITE_API_KEY (server only); set none of them to run on the emulator',
  )
  process.exit(2)
}

const stack = await startStack({
  port: env.PORT === undefined ? 5173 : Number(env.PORT),
  databaseId: env.BOOKING_GUARD_DATABASE ?? 'main',
  therapists: therapistsFromEnv(env.THERAPISTS),
  appwrite:
    endpoint === undefined || projectId === undefined
      ? undefined
      : { endpoint, projectId, apiKey: env.APPWRITE_API_KEY! },
})

console.log(`\n  react-booking is running at ${stack.url}`)
console.log(
  stack.emulator === undefined
    ? `  on Appwrite ${endpoint} (project ${projectId})`
    : `  on the emulator at ${stack.emulator.endpoint}: pick a customer in one window and a therapist in another`,
)
console.log('  Ctrl+C stops it\n')

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
