// `pnpm --filter react-booking dev`: the app on the emulator, or on a real Appwrite project when
// VITE_APPWRITE_ENDPOINT and VITE_APPWRITE_PROJECT are set (with the booking Function deployed).
import { startDemo } from './launch'

const env = process.env
const endpoint = env.VITE_APPWRITE_ENDPOINT
const projectId = env.VITE_APPWRITE_PROJECT
if ((endpoint === undefined) !== (projectId === undefined)) {
  console.error(
    'react-booking: for a real Appwrite project set both VITE_APPWRITE_ENDPOINT and VITE_APPWRITE_PROJECT (and VITE_THERAPISTS); set neither to run on the emulator',
  )
  process.exit(2)
}

const demo = await startDemo({
  port: env.PORT === undefined ? 5173 : Number(env.PORT),
  databaseId: env.VITE_BOOKING_DATABASE ?? 'main',
  appwrite: endpoint === undefined || projectId === undefined ? undefined : { endpoint, projectId },
})

console.log(`\n  react-booking is running at ${demo.url}`)
console.log(
  demo.emulator === undefined
    ? `  on Appwrite ${endpoint} (project ${projectId})`
    : `  on the emulator at ${demo.emulator.endpoint}, with the booking Function: sign in as a customer in one window and a therapist in another (a private window has its own session)`,
)
console.log('  Ctrl+C stops it\n')

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
