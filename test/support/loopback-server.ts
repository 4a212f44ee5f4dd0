import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.js';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 with a swappable handler and a request log. */
export async function startLoopbackServer(handler: Handler = (_req, res) => res.end('{}')) {
  let current = handler;
  const requests: { method: string; url: string; at: number; headers: http.IncomingHttpHeaders }[] =
    [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      at: Date.now(),
      headers: req.headers,
    });
    current(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    setHandler(next: Handler) {
      current = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type LoopbackServer = Awaited<ReturnType<typeof startLoopbackServer>>;

/** A loopback server closed after the test (after its pollers), with the paths it was asked. */
export async function loopbackServer(handler?: Handler) {
  const server = await startLoopbackServer(handler);
  onCleanup(() => server.close(), { late: true });
  /** Paths (and queries) of the requests seen so far. */
  const paths = () => server.requests.map((r) => r.url);
  return Object.assign(server, { paths });
}

/** Sends JSON with a status and extra headers. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Reads a request body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
