import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Tauri loads the built files from disk (relative base) and the dev server from a fixed port.
export default defineConfig({
  base: './',
  plugins: [react()],
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_'],
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    target: 'es2022',
  },
});
