import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `pnpm dev` serves this config through dev/launch.ts, next to the emulator it starts.
export default defineConfig({
  plugins: [react()],
})
