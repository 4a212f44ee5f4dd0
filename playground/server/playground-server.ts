import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { createBridge } from './http-bridge.js';
import { LiveBackend } from './live-backend.js';
import type { BackendSettings } from './settings.js';

export interface PlaygroundOptions {
  /** Port of the page (and the same-origin API). Default 5173; 0 picks a free one. */
  port?: number;
  /** Port of the cross-origin API. Default `port + 1`, or a free one when `port` is 0. */
  apiPort?: number;
  /** The backend's switches at start. */
  settings?: Partial<BackendSettings>;
  /** Vite's hot reload; tests turn it off (its WebSocket keeps a page out of the bfcache). */
  hmr?: boolean;
  /** Vite's console output. Default `info`. */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}

export interface RunningPlayground {
  /** The page, e.g. `http://127.0.0.1:5173/`. */
  url: string;
  /** The cross-origin API, e.g. `http://127.0.0.1:5174`. */
  apiOrigin: string;
  backend: LiveBackend;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const webRoot = fileURLToPath(new URL('../web', import.meta.url));

/**
 * The playground: a Vite dev server for the page in `playground/web`, with the backend as
 * Vite middleware in the same process, and the same backend on a second port for the
 * cross-origin case. The page imports pollwise from `src/`, so it always shows this checkout.
 */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<RunningPlayground> {
  const port = options.port ?? 5173;
  const backend = new LiveBackend(options.settings);
  const api = http.createServer(createBridge(backend, 'api'));
  const sockets = new Set<import('node:net').Socket>();
  api.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(api, options.apiPort ?? (port === 0 ? 0 : port + 1));
  const apiOrigin = `http://${HOST}:${(api.address() as AddressInfo).port}`;

  const hmr = options.hmr ?? true;
  let vite: ViteDevServer | undefined;
  try {
    vite = await createServer({
      configFile: false,
      root: webRoot,
      logLevel: options.logLevel ?? 'info',
      clearScreen: false,
      server: {
        host: HOST,
        port,
        strictPort: true,
        hmr,
        // Without hot reload nothing needs Vite's WebSocket; an open one keeps a page out of the
        // back/forward cache where a browser refuses sockets there (Chromium 156 closes it).
        ...(hmr ? {} : { ws: false as const }),
        fs: { allow: [repoRoot] },
      },
      // Found up front, so a first visit never reloads the page halfway through a test.
      optimizeDeps: { include: ['mitt', 'zod/mini', 'zod'] },
      plugins: [backendPlugin(backend, apiOrigin)],
    });
    await vite.listen();
  } catch (error) {
    await vite?.close();
    await closeServer(api, sockets);
    throw error;
  }
  const server = vite;
  const address = server.httpServer?.address() as AddressInfo;
  return {
    url: `http://${HOST}:${address.port}/`,
    apiOrigin,
    backend,
    async close() {
      try {
        await server.close();
      } finally {
        await closeServer(api, sockets);
      }
    },
  };
}

/** Serves the backend from Vite's own server and tells the page where the API port is. */
function backendPlugin(backend: LiveBackend, apiOrigin: string): Plugin {
  return {
    name: 'pollwise-playground-backend',
    configureServer(server) {
      server.middlewares.use(createBridge(backend, 'page'));
    },
    transformIndexHtml(html) {
      return html.replace('%POLLWISE_API_ORIGIN%', apiOrigin);
    },
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeServer(server: http.Server, sockets: Set<import('node:net').Socket>) {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
