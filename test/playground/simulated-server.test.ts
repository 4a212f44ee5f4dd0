import { describe, expect, it } from 'vitest';
import { CLIENT_HEADER, SimulatedServer } from '../../playground/sim/simulated-server.js';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';

const ORIGIN = 'https://demo.hf.space';
const item = (id: number) => `${ORIGIN}/api/items/${id}`;

function setup(options: { hidden?: () => boolean } = {}) {
  const clock = new VirtualClock(0);
  const server = new SimulatedServer({
    clock,
    latencyMs: 50,
    limit: 120,
    windowMs: 60_000,
    items: 200,
    isHidden: options.hidden,
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
      },
    ]);
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
