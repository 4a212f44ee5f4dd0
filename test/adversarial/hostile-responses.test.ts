import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  HttpError,
  isPollwiseError,
  isRefusal,
  type Poller,
  type PollerOptions,
  TimeoutError,
  UnexpectedResponseError,
} from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import {
  type Fresh,
  type Probe,
  pollProbe,
  resourceProbe,
  type Seen,
  type World,
  watchUnhandledRejections,
  world,
} from '../faults/harness.js';

/*
 * Hostile answers on the wire, beyond the fault matrix (test/faults): statuses the matrix does not
 * try, broken framing, encodings and bodies. Origin A answers every request (URL poll, task's
 * ctx.http, batch, item) with the hostile answer; origin B stays healthy. For each answer: the
 * subscribers of A get the typed error listed (or data), B gets data on every tick, nothing is
 * left in flight, eager resource.fetch() calls settle by their deadline, there is no unhandled
 * rejection, and once A is healthy again every subscriber of A has fresh data.
 */

const INTERVAL = 1000;
const TIMEOUT = 400;
const OPEN_MS = 2000;
const OPTIONS: PollerOptions = {
  loopbackInterval: INTERVAL,
  timeout: TIMEOUT,
  breaker: { openMs: OPEN_MS },
  cooldown: { jitter: 0 },
  random: () => 0,
};
/** The fault lasts from 0 to here; A heals then. */
const FAULT_UNTIL = 2500;

/** What a subscriber of A must get: data, or errors that each pass `test`. */
interface Expected {
  label: string;
  test: (error: unknown) => boolean;
}
const DATA = 'data' as const;

const http_ = (status: number): Expected => ({
  label: `HttpError ${status}`,
  test: (e) => e instanceof HttpError && e.status === status && isPollwiseError(e),
});
const unexpected = (reason: string): Expected => ({
  label: `UnexpectedResponseError (${reason})`,
  test: (e) => e instanceof UnexpectedResponseError && e.message.endsWith(`: ${reason}`),
});
const timeout: Expected = {
  label: 'TimeoutError',
  test: (e) => e instanceof TimeoutError && e.timeoutMs === TIMEOUT,
};
/** fetch's own errors, as the README's failure table documents them: not pollwise's to type. */
const network: Expected = {
  label: "fetch's TypeError (network)",
  test: (e) => e instanceof TypeError && e.message === 'fetch failed',
};
const terminated: Expected = {
  label: "fetch's TypeError (body stream terminated)",
  test: (e) => e instanceof TypeError && e.message === 'terminated',
};

interface HostileAnswer {
  name: string;
  answer: (res: http.ServerResponse, w: World, seen: Seen) => void;
  /** What the URL poll and the task get. */
  poll: Expected | typeof DATA;
  /** What the resource's item gets; default: the same as the poll. */
  item?: Expected | typeof DATA;
}

/** Writes `raw` bytes on the socket, bypassing Node's HTTP framing, then closes it. */
const raw = (res: http.ServerResponse, text: string | Buffer) => {
  res.socket?.end(text);
};

/** A healthy-looking JSON body for `seen`: batches list their keys. */
const bodyFor = (seen: Seen) =>
  seen.kind === 'batch'
    ? JSON.stringify(seen.keys.map((key) => ({ key, at: seen.at })))
    : JSON.stringify({ key: seen.keys[0], kind: seen.kind, at: seen.at });

/** A redirect loop: fetch gives up (its network error), or the deadline ends it first. */
const networkOrTimeout: Expected = {
  label: `${network.label} or ${timeout.label}`,
  test: (e) => network.test(e) || timeout.test(e),
};

const ANSWERS: HostileAnswer[] = [
  {
    name: '103 Early Hints before the answer',
    answer: (res, _w, seen) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodyFor(seen));
    },
    poll: DATA,
  },
  {
    name: '102 Processing, twice, before the answer',
    answer: (res, _w, seen) => {
      const body = bodyFor(seen);
      raw(
        res,
        `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
    poll: DATA,
  },
  {
    name: '204 No Content',
    answer: (res) => {
      res.writeHead(204);
      res.end();
    },
    poll: unexpected('empty body'),
  },
  {
    name: '205 Reset Content',
    answer: (res) => {
      res.writeHead(205);
      res.end();
    },
    poll: unexpected('empty body'),
  },
  {
    name: '204 with a body on the wire (the client must ignore it)',
    answer: (res) => raw(res, 'HTTP/1.1 204 No Content\r\ncontent-length: 7\r\n\r\n{"a":1}'),
    poll: unexpected('empty body'),
  },
  {
    name: '302 without a Location',
    answer: (res) => {
      res.writeHead(302, { 'content-type': 'application/json' });
      res.end('{"moved":true}');
    },
    poll: http_(302),
  },
  {
    name: '300 Multiple Choices',
    answer: (res) => {
      res.writeHead(300, { 'content-type': 'application/json' });
      res.end('[]');
    },
    poll: http_(300),
  },
  {
    name: 'a redirect to a file: URL',
    answer: (res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    },
    poll: network,
  },
  {
    name: 'a redirect to an unparsable Location',
    answer: (res) => {
      res.writeHead(307, { location: 'http://[::1' });
      res.end();
    },
    poll: network,
  },
  {
    name: 'a redirect to itself, forever',
    answer: (res, _w, seen) => {
      res.writeHead(307, { location: seen.path });
      res.end();
    },
    poll: networkOrTimeout,
  },
  {
    name: 'status 999',
    answer: (res) => {
      res.writeHead(999, { 'content-type': 'application/json' });
      res.end('{}');
    },
    poll: http_(999),
  },
  {
    name: '451 with an HTML body',
    answer: (res) => {
      res.writeHead(451, { 'content-type': 'text/html' });
      res.end('<h1>Unavailable For Legal Reasons</h1>');
    },
    poll: http_(451),
  },
  {
    name: '401 with WWW-Authenticate and no body',
    answer: (res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end();
    },
    poll: http_(401),
  },
  {
    name: 'JSON that is not valid UTF-8',
    answer: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    },
    poll: unexpected('invalid JSON'),
  },
  {
    name: 'JSON after a UTF-8 byte order mark',
    answer: (res, _w, seen) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`\uFEFF${bodyFor(seen)}`);
    },
    poll: DATA,
  },
  {
    name: 'JSON with a wrong content-type and a charset it does not use',
    answer: (res, _w, seen) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream; charset=utf-16' });
      res.end(bodyFor(seen));
    },
    poll: DATA,
  },
  {
    name: 'a JSON null body',
    answer: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('null');
    },
    poll: DATA,
    item: unexpected('entries are not an array'),
  },
  {
    name: 'a JSON string body',
    answer: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('"[1,2,3]"');
    },
    poll: DATA,
    item: unexpected('entries are not an array'),
  },
  {
    name: 'a 2 MB body',
    answer: (res, _w, seen) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pad = 'x'.repeat(2 * 1024 * 1024);
      const body =
        seen.kind === 'batch'
          ? seen.keys.map((key) => ({ key, at: seen.at, pad }))
          : { key: seen.keys[0], at: seen.at, pad };
      res.end(JSON.stringify(body));
    },
    poll: DATA,
  },
  {
    name: 'gzip content-encoding over a body that is not gzip',
    answer: (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('{"not":"gzip"}');
    },
    poll: terminated,
  },
  {
    name: 'br content-encoding over a body that is not brotli',
    answer: (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      res.end('{"not":"brotli"}');
    },
    poll: terminated,
  },
  {
    name: 'a content-length longer than the body, then the socket closes',
    answer: (res) => raw(res, 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"a":1}'),
    poll: terminated,
  },
  {
    name: 'broken chunked framing',
    answer: (res) =>
      raw(res, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n'),
    poll: terminated,
  },
  {
    name: 'content-length and transfer-encoding together (a smuggling attempt)',
    answer: (res) =>
      raw(
        res,
        'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ),
    poll: network,
  },
  {
    name: 'an answer that is not HTTP at all',
    answer: (res) => raw(res, 'SSH-2.0-OpenSSH_9.6\r\n\r\n'),
    poll: network,
  },
  {
    name: 'an HTTP/0.9-style answer (no status line)',
    answer: (res) => raw(res, '{"a":1}'),
    poll: network,
  },
  {
    name: 'a NUL byte in a header value',
    answer: (res) => raw(res, 'HTTP/1.1 200 OK\r\nx-a: a\u0000b\r\ncontent-length: 2\r\n\r\n{}'),
    poll: network,
  },
  {
    name: '200 KB of response headers',
    answer: (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-big': 'a'.repeat(200_000) });
      res.end('{}');
    },
    poll: network,
  },
  {
    name: 'headers at once, then a body dripped forever',
    answer: (res, w) => {
      w.stall(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"drip": "');
      const drip = setInterval(() => res.write('.'), 20);
      res.once('close', () => clearInterval(drip));
    },
    poll: timeout,
  },
  {
    name: 'a status line, then no headers ever',
    answer: (res, w) => {
      w.stall(res);
      res.socket?.write('HTTP/1.1 200 OK\r\n');
    },
    poll: timeout,
  },
];

/** Subscribes the poll, the task and a resource item on A, and a poll on B. */
function subscribeAll(w: World) {
  const { poller, A, B, now } = w;
  const probes = new Map<string, Probe>();
  for (const [name, origin] of [
    ['poll', A],
    ['Bpoll', B],
  ] as const) {
    const p = pollProbe(name, origin, now);
    probes.set(name, p.probe);
    poller.poll(`${origin}/poll`, { key: name, onData: p.onData, onError: p.onError });
  }
  const task = pollProbe('task', A, now);
  probes.set('task', task.probe);
  poller.poll<Fresh>((ctx) => ctx.http<Fresh>(`${A}/task`), {
    origin: A,
    key: 'task',
    onData: task.onData,
    onError: task.onError,
  });
  const resource = createResource<string, Fresh>(poller, {
    item: { url: (key) => `${A}/items/${key}` },
    batch: {
      url: `${A}/batch`,
      body: (keys) => ({ keys }),
      key: (entry) => (entry as { key: string }).key,
    },
  });
  probes.set('a1', resourceProbe('a1', A, resource, 'a1', now));
  return { probes, resource };
}

/** No run, queued poll or request is left under way. */
const quiet = (poller: Poller) => {
  const i = poller.inspect();
  return { running: i.running, queued: i.queued, requestsInFlight: i.requestsInFlight };
};

describe.each(ANSWERS)('hostile answer: $name', (hostile) => {
  it('the subscribers of A get the listed outcome, B keeps polling, nothing is left pending, A recovers', async () => {
    const unhandled = watchUnhandledRejections();
    const w = await world(OPTIONS);
    const { poller, now } = w;
    w.setResponder((seen, _req, res) => {
      if (seen.kind === 'other' || seen.kind === 'legacy-batch') return false;
      hostile.answer(res, w, seen);
      return true;
    });
    const { probes, resource } = subscribeAll(w);

    // Eager reads of a key nobody subscribes to, twice during the fault.
    const eager: { at: number; settledAt?: number; value?: unknown; error?: unknown }[] = [];
    const fetchEagerly = () => {
      const call: (typeof eager)[number] = { at: now() };
      eager.push(call);
      void w
        .track(() => resource.fetch('e1'))
        .then((outcome) => {
          Object.assign(call, outcome, { settledAt: now() });
        });
    };
    w.clock.setTimeout(fetchEagerly, 500);
    w.clock.setTimeout(fetchEagerly, 1500);

    await w.advanceTo(FAULT_UNTIL);
    expect(quiet(poller)).toEqual({ running: 0, queued: 0, requestsInFlight: 0 });

    const expectedOf = (name: string) =>
      name === 'a1' ? (hostile.item ?? hostile.poll) : hostile.poll;
    for (const probe of probes.values()) {
      const expected = probe.name === 'Bpoll' ? DATA : expectedOf(probe.name);
      if (expected === DATA) {
        expect(probe.errors, `${probe.name}: no error`).toEqual([]);
        expect(probe.data.length, `${probe.name}: data`).toBeGreaterThan(0);
        continue;
      }
      expect(probe.data, `${probe.name}: no data`).toEqual([]);
      expect(probe.errors.length, `${probe.name}: errors`).toBeGreaterThan(0);
      for (const { error } of probe.errors) {
        expect(expected.test(error), `${probe.name}: ${expected.label}, got ${String(error)}`).toBe(
          true,
        );
      }
    }
    // B: one fresh answer per tick, untouched by A.
    expect(probes.get('Bpoll')?.data.map((d) => d.at)).toEqual([0, 1000, 2000]);

    // Each eager read settled within its deadline: data, the item's error, or a refusal.
    expect(eager).toHaveLength(2);
    for (const call of eager) {
      expect(call.settledAt, `fetch() at ${call.at} settled`).toBeDefined();
      expect((call.settledAt ?? 0) - call.at).toBeLessThanOrEqual(TIMEOUT);
      const item = expectedOf('a1');
      if (call.error === undefined) expect(item).toBe(DATA);
      else if (!isRefusal(call.error)) {
        expect(item === DATA ? false : item.test(call.error), String(call.error)).toBe(true);
      }
    }

    // A heals: within the breaker's open time and two intervals, everyone has fresh data.
    w.setResponder(null);
    const healedAt = FAULT_UNTIL + OPEN_MS + 2 * INTERVAL;
    await w.advanceTo(healedAt);
    for (const probe of probes.values()) {
      const last = probe.data.at(-1);
      expect(last?.at, `${probe.name} fresh after healing`).toBeGreaterThan(FAULT_UNTIL);
    }
    expect(quiet(poller)).toEqual({ running: 0, queued: 0, requestsInFlight: 0 });
    expect(await unhandled.stop()).toEqual([]);
  });
});
