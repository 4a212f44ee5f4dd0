// A real express app behind express-rate-limit on 127.0.0.1: what a budget-aware client meets
// in the wild, with every request, 429 and rate-limit window counted on the server's side.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { MemoryStore, type Options, rateLimit } from 'express-rate-limit';
import { onCleanup } from './cleanup.js';

/** One request as the server answered it. */
export interface Answered {
  path: string;
  status: number;
  /** Real ms since the server started. */
  at: number;
  /** The limiter's window the request was counted in (its reset time, epoch ms). */
  windowResetAt: number | undefined;
}

/**
 * Starts `GET /item/:id` → `{ id, at }` behind `rateLimit(limiter)` (a fresh MemoryStore, so
 * no timer outlives the test), closed after the test even when it fails.
 */
export async function rateLimitedExpress(limiter: Partial<Options>) {
  const started = Date.now();
  const answered: Answered[] = [];
  let received = 0;
  const store = new MemoryStore();
  const app = express();
  // Before the limiter: every request is counted, admitted or not.
  app.use((req, res, next) => {
    received++;
    res.on('finish', () => {
      const info = (req as { rateLimit?: { resetTime?: Date } }).rateLimit;
      answered.push({
        path: req.path,
        status: res.statusCode,
        at: Date.now() - started,
        windowResetAt: info?.resetTime?.getTime(),
      });
    });
    next();
  });
  app.use(rateLimit({ ...limiter, store }));
  app.get('/item/:id', (req, res) => {
    res.json({ id: req.params.id, at: Date.now() });
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.shutdown();
  };
  onCleanup(close, { late: true });
  const { port } = server.address() as AddressInfo;

  /** Requests counted in each of the limiter's windows, in the order the windows began. */
  const perWindow = () => {
    const counts = new Map<number | undefined, number>();
    for (const a of answered) counts.set(a.windowResetAt, (counts.get(a.windowResetAt) ?? 0) + 1);
    return [...counts.values()];
  };
  return {
    origin: `http://127.0.0.1:${port}`,
    /** Requests that arrived, answered or not (a poller disposed mid-request aborts some). */
    get received() {
      return received;
    },
    /** Every request the server answered, in order. */
    answered,
    /** How many answers had `status`. */
    count: (status: number) => answered.filter((a) => a.status === status).length,
    perWindow,
    close,
  };
}
