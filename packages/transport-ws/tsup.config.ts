import { defineConfig } from 'tsup';

export default defineConfig({
  // index: Node (ws as the default WebSocket, plus the server); browser: the client on the global WebSocket.
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'neutral',
  external: ['ws'],
});
