import { describe, expect, it } from 'vitest';
import {
  BATCH_PATH,
  CLIENT_HEADER,
  type RunLogs,
  type RunRef,
  SimulatedServer,
} from '../../playground/sim/simulated-server.js';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';

const ORIGIN = 'https://demo.hf.space';
const item = (id: number) => `${ORIGIN}/api/items/${id}`;

function setup(options: { hidden?: () => boolean; batchEndpoint?: boolean } = {}) {
  const clock = new VirtualClock(0);
  const server = new SimulatedServer({
    clock,
    latencyMs: 50,
    limit: 120,
    windowMs: 60_000,
    items: 200,
    isHidden: options.hidden,
    batchEndpoint: options.batchEndpoint,
  });
  /** Sends `n` requests now; resolves with their responses once the clock delivers them. */
  const send = async (n: number, init?: RequestInit) => {
    const pending = Array.from({ length: n }, (_, i) => server.fetch(item(i % 200), init));
    await clock.advanceBy(50);
    return Promise.all(pending);
  };
  const statuses = (responses: Response[]) => responses.map((r) => r.status);
  return { clock, server, send, statuses };
}

describe('SimulatedServer', () => {
  it('answers GET /api/items/:id with { id, value, version } after exactly the latency', async () => {
    const { clock, server } = setup();
    let arrivedAt = -1;
    const pending = server.fetch(item(7)).then((response) => {
      arrivedAt = clock.now();
      return response;
    });
    await clock.runUntil(49);
    expect(arrivedAt).toBe(-1);
    await clock.runUntil(50);
    expect(arrivedAt).toBe(50);

    const response = await pending;
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['id', 'value', 'version']);
    expect(body.id).toBe(7);
    expect(body.version).toBe(0);
    expect(typeof body.value).toBe('number');
    expect(server.requests).toEqual([
      {
        at: 0,
        method: 'GET',
        path: '/api/items/7',
        client: 'anonymous',
        status: 200,
        hidden: false,
        insideAnnounced: false,
      },
    ]);
  });

  it('answers GET /api/summary with { items, step }, charged like any request; 405 for POST', async () => {
    const { clock, server } = setup();
    await clock.runUntil(2500);
    const pending = server.fetch(`${ORIGIN}/api/summary`);
    const post = server.fetch(`${ORIGIN}/api/summary`, { method: 'POST' });
    await clock.advanceBy(50);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: 200, step: 2 });
    expect((await post).status).toBe(405);
    expect(server.retryAfterSeconds('anonymous', clock.now())).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual(['/api/summary', '/api/summary']);
  });

  it('answers 429 with Retry-After once 120 requests are spent, counting down to the window end', async () => {
    const { clock, server, send, statuses } = setup();
    const first = await send(121);
    expect(statuses(first.slice(0, 120))).toEqual(Array(120).fill(200));
    expect(first[120]?.status).toBe(429);
    expect(first[120]?.headers.get('retry-after')).toBe('60');

    // 39.6 s left: whole seconds, rounded up (never earlier than a slot frees).
    await clock.runUntil(20_400);
    const [later] = await send(1);
    expect(later?.status).toBe(429);
    expect(later?.headers.get('retry-after')).toBe('40');

    // 0.5 s left: still at least 1.
    await clock.runUntil(59_500);
    const [almost] = await send(1);
    expect(almost?.headers.get('retry-after')).toBe('1');

    expect(server.rateLimited.map((r) => r.at)).toEqual([0, 20_400, 59_500]);
    expect(server.count(429)).toBe(3);
    expect(server.count(200)).toBe(120);
  });

  it('recovers when the window frees: the full budget again 60 s after it was spent', async () => {
    const { clock, send, statuses } = setup();
    await send(120);
    await clock.runUntil(60_000);
    const again = await send(121);
    expect(statuses(again).filter((s) => s === 200)).toHaveLength(120);
    expect(again[120]?.status).toBe(429);
    expect(again[120]?.headers.get('retry-after')).toBe('60');
  });

  it('uses a rolling window: slots free one by one as the oldest requests age out', async () => {
    const { clock, send, statuses } = setup();
    await send(60); // at 0 s
    await clock.runUntil(30_000);
    await send(60); // at 30 s: budget spent

    await clock.runUntil(45_000);
    const [at45] = await send(1);
    expect(at45?.status).toBe(429);
    expect(at45?.headers.get('retry-after')).toBe('15');

    // At 60 s the 60 requests from 0 s leave the window; those from 30 s stay until 90 s.
    await clock.runUntil(60_000);
    const at60 = await send(61);
    expect(statuses(at60).filter((s) => s === 200)).toHaveLength(60);
    expect(at60[60]?.headers.get('retry-after')).toBe('30');
  });

  it('does not charge refused requests to the budget', async () => {
    const { clock, send } = setup();
    await send(120);
    await clock.runUntil(10_000);
    await send(500); // all 429
    await clock.runUntil(60_000);
    const after = await send(120);
    expect(after.every((r) => r.status === 200)).toBe(true);
  });

  it('keeps one budget per client (x-client-id header)', async () => {
    const { server, send } = setup();
    await send(120, { headers: { [CLIENT_HEADER]: 'a' } });
    const b = await send(1, { headers: { [CLIENT_HEADER]: 'b' } });
    const a = await send(1, { headers: { [CLIENT_HEADER]: 'a' } });
    expect(b[0]?.status).toBe(200);
    expect(a[0]?.status).toBe(429);
    expect(server.requests.at(-1)?.client).toBe('a');
  });

  it('records whether the tab was hidden when each request arrived', async () => {
    let hidden = false;
    const { server, send } = setup({ hidden: () => hidden });
    await send(1);
    hidden = true;
    await send(2);
    expect(server.requests.map((r) => r.hidden)).toEqual([false, true, true]);
  });

  it('answers 404 outside /api/items/0..199 and rejects aborted requests with the reason', async () => {
    const { clock, server } = setup();
    const missing = server.fetch(`${ORIGIN}/api/items/200`);
    const controller = new AbortController();
    const aborted = server.fetch(item(1), { signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(clock.pending).toBe(1); // only the 404's delivery; the aborted one was cleared
    await clock.advanceBy(50);
    expect((await missing).status).toBe(404);
  });
});

const BATCH = `${ORIGIN}${BATCH_PATH}`;
const ref = (id: number): RunRef => ({ run: `run-${id}`, run_id: id });
const refs = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ref(from + i));
/** A batch request as a string body (`init.body`). */
const batchInit = (runs: unknown, project: unknown = 'dashboard'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ project, runs }),
});
/** A batch request as ky sends it: a Request whose body is a stream. */
const batchRequest = (runs: unknown) => new Request(BATCH, batchInit(runs));
const logsUrl = (query: string) => `${ORIGIN}/api/get_logs?${query}`;

describe('SimulatedServer: POST /api/get_logs_batch and GET /api/get_logs', () => {
  it('answers [{ run, run_id, logs }] in request order after exactly the latency, from a Request body', async () => {
    const { clock, server } = setup();
    await clock.runUntil(2_400); // step 2
    let arrivedAt = -1;
    const pending = server.fetch(batchRequest([ref(5), ref(0), ref(199)])).then((response) => {
      arrivedAt = clock.now();
      return response;
    });
    await clock.advanceBy(49);
    expect(arrivedAt).toBe(-1);
    await clock.advanceBy(1);
    expect(arrivedAt).toBe(2_450);

    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as RunLogs[];
    expect(body.map((e) => [e.run, e.run_id, e.logs.length, e.logs[0]?.step])).toEqual([
      ['run-5', 5, 1, 2],
      ['run-0', 0, 1, 2],
      ['run-199', 199, 1, 2],
    ]);
    // The same numbers as the per-item endpoint of that item at that second.
    const item = server.fetch(`${ORIGIN}/api/items/5`);
    await clock.advanceBy(50);
    const five = (await (await item).json()) as { value: number; version: number };
    expect(body[0]?.logs[0]).toEqual({ step: five.version, value: five.value });
    expect(server.requests[0]).toEqual({
      at: 2_400,
      method: 'POST',
      path: BATCH_PATH,
      client: 'anonymous',
      status: 200,
      hidden: false,
      insideAnnounced: false,
      runs: 3,
    });
  });

  it('answers 64 runs at once, 413 for 65 (string body), and leaves unknown runs out', async () => {
    const { clock, server } = setup();
    const full = server.fetch(BATCH, batchInit(refs(0, 64)));
    const tooMany = server.fetch(BATCH, batchInit(refs(0, 65)));
    const unknown = server.fetch(BATCH, batchInit([ref(3), ref(200), { run: 'x', run_id: -1 }]));
    await clock.advanceBy(50);
    const [a, b, c] = await Promise.all([full, tooMany, unknown]);
    expect(a.status).toBe(200);
    expect(((await a.json()) as RunLogs[]).map((e) => e.run_id)).toEqual(
      Array.from({ length: 64 }, (_, i) => i),
    );
    expect(b.status).toBe(413);
    expect(await b.text()).toBe('');
    expect(c.status).toBe(200);
    expect(((await c.json()) as RunLogs[]).map((e) => e.run_id)).toEqual([3]);
    expect(server.requests.map((r) => [r.status, r.runs])).toEqual([
      [200, 64],
      [413, 65],
      [200, 3],
    ]);
  });

  it('answers 400 for a malformed body and 405 for GET on the batch route', async () => {
    const { clock, server } = setup();
    const pending = [
      server.fetch(BATCH, { method: 'POST', body: '{not json' }),
      server.fetch(BATCH, batchInit('run-1')),
      server.fetch(BATCH, batchInit([{ run: 'run-1' }])),
      server.fetch(BATCH, batchInit([ref(1)], '')),
      server.fetch(BATCH),
    ];
    await clock.advanceBy(50);
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 405]);
    expect(responses[4]?.headers.get('allow')).toBe('POST');
  });

  it('counts a batch as one request against the rate limit, whatever it asks for', async () => {
    const { clock, server } = setup();
    const batches = Array.from({ length: 119 }, () => server.fetch(batchRequest(refs(0, 64))));
    const single = server.fetch(`${ORIGIN}/api/items/0`);
    const over = server.fetch(batchRequest(refs(0, 64)));
    await clock.advanceBy(50);
    const answered = await Promise.all(batches);
    expect(answered.every((r) => r.status === 200)).toBe(true);
    expect((await single).status).toBe(200);
    const refused = await over;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(server.rateLimited).toHaveLength(1);
    expect(server.rateLimited[0]?.path).toBe(BATCH_PATH);
    // A refused batch is not read: no runs recorded, nothing charged.
    expect(server.rateLimited[0]?.runs).toBeUndefined();
    // The window frees 60 s after the 120 accepted requests.
    await clock.runUntil(60_000);
    const again = server.fetch(BATCH, batchInit([ref(1)]));
    await clock.advanceBy(50);
    expect((await again).status).toBe(200);
    expect(server.count()).toBe(122);
  });

  it('with batchEndpoint: false (an older backend) answers the batch route 404, still charged, while GET /api/get_logs works', async () => {
    const { clock, server } = setup({ batchEndpoint: false });
    expect(server.batchEndpoint).toBe(false);
    const batch = server.fetch(batchRequest([ref(1)]));
    const perRun = server.fetch(logsUrl('project=dashboard&run=run-1&run_id=1'));
    await clock.advanceBy(50);
    const missing = await batch;
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
    const one = await perRun;
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({
      run: 'run-1',
      run_id: 1,
      logs: [{ step: 0, value: expect.any(Number) }],
    });
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', BATCH_PATH, 404],
      ['GET', '/api/get_logs?project=dashboard&run=run-1&run_id=1', 200],
    ]);
    // The 404 used budget like any answered request: 118 more fit, then 429.
    const rest = Array.from({ length: 119 }, () => server.fetch(logsUrl('project=p&run_id=2')));
    await clock.advanceBy(50);
    const statuses = (await Promise.all(rest)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(118);
    expect(statuses.at(-1)).toBe(429);
  });

  it('answers GET /api/get_logs per run: 404 for an unknown run, 400 without project or run_id, 405 for POST', async () => {
    const { clock, server } = setup();
    const pending = [
      server.fetch(logsUrl('project=dashboard&run=run-7&run_id=7')),
      server.fetch(logsUrl('project=dashboard&run=run-200&run_id=200')),
      server.fetch(logsUrl('run=run-7&run_id=7')),
      server.fetch(logsUrl('project=dashboard&run=run-7')),
      server.fetch(logsUrl('project=dashboard&run_id=-1')),
      server.fetch(logsUrl('project=dashboard&run_id=7'), { method: 'POST' }),
    ];
    await clock.advanceBy(50);
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual([200, 404, 400, 400, 400, 405]);
    const body = (await responses[0]?.json()) as RunLogs;
    expect(body.run).toBe('run-7');
    expect(body.run_id).toBe(7);
  });
});
