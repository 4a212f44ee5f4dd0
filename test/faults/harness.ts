import http from 'node:http';
import type { Socket } from 'node:net';
import type { Poller, PollerOptions, Snapshot } from '../../src/index.js';
import type { Resource } from '../../src/resource/index.js';
import { onCleanup } from '../support/cleanup.js';
import { type ManualClock, realTick, T0 } from '../support/clock.js';
import { type Handler, loopbackServer, readBody, sendJson } from '../support/loopback-server.js';
import { wirePoller } from '../support/poller.js';

/** What a request to a fault origin asks for, by path. */
export type Kind = 'poll' | 'task' | 'batch' | 'item';

/** One request as a server saw it: virtual arrival time (ms since T0), kind, keys asked for. */
export interface Seen {
  server: 'A' | 'B';
  method: string;
  path: string;
  kind: Kind | 'legacy-batch' | 'other';
  /** Keys of a batch request (its JSON body), or the key of an item request. */
  keys: string[];
  at: number;
}

/** Answers one request in a faulty way; returns false to let the healthy handler answer. */
export type Responder = (
  seen: Seen,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => boolean;

/** One entry of the ordered timeline: client events and server arrivals, in the order they happened. */
export type Mark =
  | { type: 'request'; origin: string; at: number }
  | { type: 'arrival'; server: 'A' | 'B'; at: number }
  | { type: 'cooldown'; origin: string; at: number; until: number }
  | { type: 'breaker:open'; origin: string; at: number; until: number }
  | { type: 'breaker:half-open'; origin: string; at: number }
  | { type: 'breaker:close'; origin: string; at: number };

function classify(method: string, path: string, body: string): Pick<Seen, 'kind' | 'keys'> {
  if (path === '/poll') return { kind: 'poll', keys: [] };
  if (path === '/task') return { kind: 'task', keys: [] };
  if (method === 'POST' && path === '/batch')
    return { kind: 'batch', keys: (JSON.parse(body) as { keys: string[] }).keys };
  if (method === 'POST' && path === '/legacy-batch') return { kind: 'legacy-batch', keys: [] };
  const item = /^\/(?:legacy|items)\/([^/]+)$/.exec(path);
  if (item?.[1]) return { kind: 'item', keys: [decodeURIComponent(item[1])] };
  return { kind: 'other', keys: [] };
}

/**
 * What a healthy backend answers: every body carries `at`, the virtual time it was served, so a
 * subscriber's data says when it was fresh. The batch endpoint answers one entry per asked key;
 * the legacy backend has no batch endpoint (404) and answers per item.
 */
export function healthy(seen: Seen, res: http.ServerResponse): void {
  const { kind, keys, at } = seen;
  if (kind === 'poll' || kind === 'task') sendJson(res, 200, { kind, at });
  else if (kind === 'batch')
    sendJson(
      res,
      200,
      keys.map((key) => ({ key, at })),
    );
  else if (kind === 'item') sendJson(res, 200, { key: keys[0], at });
  else sendJson(res, 404, { error: 'no such endpoint' });
}

/** Data as the healthy backend serves it. */
export interface Fresh {
  at: number;
}

/**
 * The fault matrix's world on a manual clock: two real loopback origins (A: the one that fails,
 * B: always healthy), a poller with exact timing (no interval or cooldown jitter; `random` is
 * fixed so backoff is exact), and an ordered timeline of client events and server arrivals.
 *
 * `clock.advance()` fires due timers one by one and, after each, waits (real time, bounded)
 * until no poll run is under way, no request is in flight in pollwise and the servers have
 * closed every response (answered, reset or abandoned by the client), so virtual time never
 * moves while a request is on the wire.
 */
export async function world(options: PollerOptions) {
  let poller: Poller | undefined;
  const log: Seen[] = [];
  const timeline: Mark[] = [];
  let open = 0;
  /** Open responses the server holds on purpose (never answered): only a deadline ends them. */
  let stalled = 0;
  let responder: Responder | null = null;
  /** Calls made outside poll runs (wrapped fetch, resource.fetch) that have not settled yet. */
  let calls = 0;

  const idle = () => {
    if (open !== stalled) return false;
    if (stalled > 0) {
      // Every request pollwise has out is held by the server: only virtual time (a deadline on
      // the injected clock) moves things on now, so time may advance.
      return poller === undefined || poller.inspect().requestsInFlight === stalled;
    }
    // A call waiting for a timer due now (resource.fetch()'s window) lets that timer fire first.
    if (calls !== 0 && !((clock.dueTimes[0] ?? Number.POSITIVE_INFINITY) <= clock.now()))
      return false;
    if (poller === undefined) return true;
    const i = poller.inspect();
    // Polls queued behind their origin's budget wait for a timer: virtual time moves them.
    return i.running === 0 && i.queued === i.paced && i.requestsInFlight === 0;
  };
  // Set below: the handlers and `idle` run only once time moves.
  let clock: ManualClock;
  const now = () => clock.now() - T0;

  const handlerFor =
    (server: 'A' | 'B'): Handler =>
    (req, res) => {
      const at = now();
      open++;
      // Closed: answered, reset, or abandoned by the client (a timeout).
      res.once('close', () => open--);
      timeline.push({ type: 'arrival', server, at });
      void readBody(req).then((body) => {
        const method = req.method ?? 'GET';
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const seen: Seen = { server, method, path, ...classify(method, path, body), at };
        log.push(seen);
        if (server === 'A' && responder?.(seen, req, res)) return;
        healthy(seen, res);
      });
    };

  const a = await loopbackServer(handlerFor('A'));
  const b = await loopbackServer(handlerFor('B'));
  /** Set while A is down: the server that took its port back, if any. */
  let reopened: http.Server | null = null;
  const reopenedSockets = new Set<Socket>();
  onCleanup(
    async () => {
      if (!reopened) return;
      for (const socket of reopenedSockets) socket.destroy();
      const s = reopened;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    { late: true },
  );

  ({ poller, clock } = wirePoller(
    { visibility: false, online: false, jitter: 0, ...options },
    { idle, idleTimeoutMs: 5000 },
  ));
  poller.on('request', (e) => timeline.push({ type: 'request', origin: e.origin, at: now() }));
  poller.on('cooldown', (e) =>
    timeline.push({ type: 'cooldown', origin: e.origin, at: now(), until: e.until - T0 }),
  );
  poller.on('breaker:open', (e) =>
    timeline.push({ type: 'breaker:open', origin: e.origin, at: now(), until: e.until - T0 }),
  );
  poller.on('breaker:half-open', (e) =>
    timeline.push({ type: 'breaker:half-open', origin: e.origin, at: now() }),
  );
  poller.on('breaker:close', (e) =>
    timeline.push({ type: 'breaker:close', origin: e.origin, at: now() }),
  );

  return {
    poller,
    clock,
    now,
    A: a.origin,
    B: b.origin,
    log,
    timeline,
    /**
     * The server holds `res` and never answers it: the request ends when the client gives up
     * (pollwise's timeout on the virtual clock, or the caller's own abort).
     */
    stall(res: http.ServerResponse) {
      stalled++;
      res.once('close', () => stalled--);
    },
    /** Makes A answer through `next` (null: healthy again). */
    setResponder(next: Responder | null) {
      responder = next;
    },
    /** A goes away: its listening socket closes and every connection is destroyed. */
    async takeDown() {
      await a.close();
    },
    /** A comes back on the same port, with the same handler. */
    async bringBack() {
      const server = http.createServer(handlerFor('A'));
      server.on('connection', (socket) => {
        reopenedSockets.add(socket);
        socket.on('close', () => reopenedSockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(a.port, '127.0.0.1', () => resolve());
      });
      reopened = server;
    },
    /**
     * Runs `call` (a request made outside any poll run) and records how it settled; `advance`
     * waits for it like for a poll run.
     */
    track<T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
      calls++;
      let promise: Promise<T>;
      try {
        promise = call();
      } catch (error) {
        promise = Promise.reject(error);
      }
      return promise
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        )
        .finally(() => {
          calls--;
        });
    },
    /** Advances virtual time to `t` ms since T0, firing due timers in order. */
    async advanceTo(t: number) {
      await clock.advance(Math.max(0, t - now()));
    },
  };
}

export type World = Awaited<ReturnType<typeof world>>;

/** What one subscriber received, with the virtual time (ms since T0) of each delivery. */
export interface Probe {
  name: string;
  origin: string;
  data: { at: number; value: Fresh }[];
  errors: { at: number; error: unknown }[];
  /** For resource subscribers: the item's current snapshot. */
  snapshot?: () => Snapshot<Fresh>;
}

/** A probe fed by a poll's onData/onError. */
export function pollProbe(name: string, origin: string, now: () => number) {
  const probe: Probe = { name, origin, data: [], errors: [] };
  return {
    probe,
    onData: (value: unknown) => probe.data.push({ at: now(), value: value as Fresh }),
    onError: (error: unknown) => probe.errors.push({ at: now(), error }),
  };
}

/** A probe subscribed to `key` of `resource`; it records each snapshot change. */
export function resourceProbe(
  name: string,
  origin: string,
  resource: Resource<string, Fresh>,
  key: string,
  now: () => number,
): Probe {
  const probe: Probe = {
    name,
    origin,
    data: [],
    errors: [],
    snapshot: () => resource.get(key),
  };
  let last: Fresh | undefined;
  resource.subscribe(key, (snapshot) => {
    if (snapshot.status === 'error') probe.errors.push({ at: now(), error: snapshot.error });
    else if (snapshot.status === 'success' && snapshot.data !== last) {
      probe.data.push({ at: now(), value: snapshot.data as Fresh });
    }
    last = snapshot.data;
  });
  return probe;
}

/**
 * Unhandled rejections seen from now on; `stop()` flushes real macrotasks first, then stops
 * listening (the listener also goes after the test, whatever happened).
 */
export function watchUnhandledRejections() {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  onCleanup(() => {
    process.off('unhandledRejection', listener);
  });
  return {
    seen,
    async stop() {
      // Node reports unhandled rejections after the microtask queue drains: give it real turns.
      for (let i = 0; i < 5; i++) await realTick();
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
      for (let i = 0; i < 5; i++) await realTick();
      process.off('unhandledRejection', listener);
      return seen;
    },
  };
}
