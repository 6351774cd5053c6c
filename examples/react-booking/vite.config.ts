import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `pnpm dev` serves this config through server/stack.ts, next to the app's /api routes.
export default defineConfig({
  plugins: [react()],
})
