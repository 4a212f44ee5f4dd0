import type { ServerResponse } from 'node:http';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

// A stand-in backend for `npm run dev` and `npm run preview`: GET /api/status answers
// { ok, at, count }, counting the requests it was sent.
function statusBackend(): Plugin {
  let count = 0;
  const answer = (_req: unknown, res: ServerResponse) => {
    count++;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify({ ok: true, at: Date.now(), count }));
  };
  return {
    name: 'status-backend',
    configureServer: (server) => void server.middlewares.use('/api/status', answer),
    configurePreviewServer: (server) => void server.middlewares.use('/api/status', answer),
  };
}

export default defineConfig({
  plugins: [vue(), statusBackend()],
});
