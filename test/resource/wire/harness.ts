import type http from 'node:http';
import type { PollerOptions } from '../../../src/index.js';
import { T0 } from '../../support/clock.js';
import { loopbackServer, readBody } from '../../support/loopback-server.js';
import { runsSettled, wirePoller } from '../../support/poller.js';

/** One request as the server saw it: virtual arrival time, parsed body. */
export interface Seen {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The JSON body, or undefined when there was none. */
  body: unknown;
  /** Virtual ms since T0 when it arrived. */
  at: number;
}

/** Answers one request; `seen` is the request already logged, with its body read. */
export type Route = (seen: Seen, res: http.ServerResponse) => void;

/**
 * A poller on a manual clock (no interval/cooldown jitter, visibility and online gating off,
 * `random: () => 0` unless overridden) plus a real loopback server whose routes are keyed by
 * `METHOD /path`. The server logs every request with its virtual arrival time and counts the
 * requests that arrived and are not answered yet (`open`, `peakOpen`).
 *
 * `clock.advance()` fires due timers one by one and, after each, waits (real time, bounded)
 * until every poll run it started has settled and the server has answered everything, so a
 * response is seen before virtual time moves on. Tests that hold responses pass
 * `waitForRuns: false` and wait on their own conditions.
 */
export async function wire(options: PollerOptions = {}, { waitForRuns = true } = {}) {
  const routes = new Map<string, Route>();
  const log: Seen[] = [];
  let open = 0;
  let peakOpen = 0;
  const { poller, clock } = wirePoller(options, {
    idle: waitForRuns ? (p) => runsSettled(p) && open === 0 : false,
  });

  const srv = await loopbackServer((req, res) => {
    const at = clock.now() - T0;
    open++;
    peakOpen = Math.max(peakOpen, open);
    // "In flight at the server": arrived and not answered yet.
    const end = res.end.bind(res);
    let ended = false;
    res.end = ((...args: Parameters<typeof res.end>) => {
      if (!ended) {
        ended = true;
        open--;
      }
      return end(...args);
    }) as typeof res.end;
    void readBody(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen: Seen = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text === '' ? undefined : JSON.parse(text),
        at,
      };
      log.push(seen);
      const route = routes.get(`${seen.method} ${seen.path}`);
      if (route === undefined) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`no route for ${seen.method} ${seen.path}`);
        return;
      }
      route(seen, res);
    });
  });

  return {
    poller,
    clock,
    origin: srv.origin,
    /** Every request the server saw, in arrival order. */
    log,
    /** The requests to `path` (any method). */
    seen: (path: string) => log.filter((r) => r.path === path),
    route(key: `${'GET' | 'POST'} /${string}`, route: Route) {
      routes.set(key, route);
    },
    /** Requests arrived and not answered yet. */
    get open() {
      return open;
    },
    /** Most requests in flight at the server at once since the last `resetPeak()`. */
    get peakOpen() {
      return peakOpen;
    },
    resetPeak() {
      peakOpen = open;
    },
  };
}

/** A run of the seed's dashboard: the key of the logs resource. */
export interface Run {
  run: string;
  run_id: string;
}

/** `n` runs, `run-000`/`id-000` onwards. */
export const runs = (n: number, from = 0): Run[] =>
  Array.from({ length: n }, (_, i) => {
    const s = String(from + i).padStart(3, '0');
    return { run: `run-${s}`, run_id: `id-${s}` };
  });

/** The logs the fake backend holds for a run, at a version. */
export const logsOf = (run: Run, version = 1) => [
  { step: version, metric: `loss/${run.run_id}`, value: version / 10 },
];
