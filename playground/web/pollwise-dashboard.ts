import { createPoller, isRefusal, type Poller, type Snapshot } from '../../src/index.js';
import { runRef, tileOf } from '../clients/dashboard.js';
import { createRunLogsResource } from '../clients/run-logs-resource.js';
import { type RunLogs, SUMMARY_PATH } from '../sim/simulated-server.js';
import type { BandLog } from './bands.js';
import type { PageConfig } from './config.js';
import type { TileBoard } from './tile-board.js';
import type { WireLog } from './wire-log.js';

/** How often the page looks whether pacing holds polls back (ms), for the paced bands. */
const PACED_SAMPLE_MS = 200;

export interface DashboardSetup {
  /** `<origin>/c/<client>`: the API as this dashboard's client. */
  base: string;
  origin: string;
  config: PageConfig;
  wire: WireLog;
  bands: BandLog;
  board: TileBoard;
}

export interface PollwiseDashboard {
  poller: Poller;
  /** Subscribes or unsubscribes one tile. */
  toggle(id: number): void;
  /** Wrapped-fetch calls pollwise refused before the network (cooldown or open breaker). */
  refusedAppCalls(): number;
  stop(): void;
}

/**
 * The dashboard as pollwise runs it: one poller whose host policy sets the interval, one
 * resource whose keys are the tiles (batched 64 to a request, per item when the batch route
 * is missing), and the app's own `fetch` of the summary, wrapped so that it shares cooldowns,
 * the breaker and the budget.
 */
export function startPollwiseDashboard(setup: DashboardSetup): PollwiseDashboard {
  const { base, origin, config, wire, bands, board } = setup;
  const poller = createPoller({
    fetch: wire.fetch,
    hosts: [{ match: origin, interval: config.interval }],
  });
  const logs = createRunLogsResource(poller, base, config.batchSize);
  const subscriptions = new Map<number, () => void>();
  const subscribe = (id: number) => {
    const sub = logs.subscribe(runRef(id), (snapshot) => showSnapshot(board, id, snapshot));
    subscriptions.set(id, () => sub.unsubscribe());
  };
  board.reset(config.items);
  for (let id = 0; id < config.items; id++) subscribe(id);

  const stopBands = recordBands(poller, bands);
  const app = startAppCalls(poller, base, config.summaryEvery);
  return {
    poller,
    toggle(id) {
      const tile = board.tiles[id];
      if (tile === undefined) return;
      const unsubscribe = subscriptions.get(id);
      if (unsubscribe !== undefined) {
        unsubscribe();
        subscriptions.delete(id);
      } else subscribe(id);
      tile.subscribed = !tile.subscribed;
    },
    refusedAppCalls: () => app.refused,
    stop() {
      app.stop();
      stopBands();
      poller.dispose();
    },
  };
}

function showSnapshot(board: TileBoard, id: number, snapshot: Snapshot<RunLogs>) {
  const tile = snapshot.data === undefined ? undefined : tileOf(snapshot.data);
  if (snapshot.status === 'error') board.fail(id, snapshot.error);
  if (tile !== undefined && snapshot.updatedAt !== board.tiles[id]?.receivedAt) {
    board.show(id, tile.value, tile.version, snapshot.updatedAt ?? Date.now());
  }
}

/**
 * Cooldown and breaker bands from the poller's events, per origin. A paced band opens when the
 * budget holds something back (`inspect().paced`: polls waiting in a lane; a rising
 * `stats().paced`: also a resource's sweep, held in the resource where inspect() does not see
 * it) and closes when a poll request goes out. Both counts are the whole poller's, so the band
 * is drawn on every origin it talked to.
 */
function recordBands(poller: Poller, bands: BandLog): () => void {
  const offCooldown = poller.on('cooldown', ({ origin, until }) =>
    bands.span('cooldown', origin, Date.now(), until),
  );
  const offOpen = poller.on('breaker:open', ({ origin }) => bands.open('breaker', origin));
  const offClose = poller.on('breaker:close', ({ origin }) => bands.close('breaker', origin));
  const origins = new Set<string>();
  let heldBefore = poller.stats().paced;
  const offRequest = poller.on('request', ({ origin, url }) => {
    origins.add(origin);
    if (url.endsWith(SUMMARY_PATH)) return; // the app's own call: pacing never holds it
    heldBefore = poller.stats().paced;
    for (const each of origins) bands.close('paced', each);
  });
  const sampler = setInterval(() => {
    const held = poller.stats().paced;
    if (poller.inspect().paced === 0 && held === heldBefore) return;
    heldBefore = held;
    for (const origin of origins) bands.open('paced', origin);
  }, PACED_SAMPLE_MS);
  return () => {
    clearInterval(sampler);
    for (const off of [offCooldown, offOpen, offClose, offRequest]) off();
    for (const origin of origins) {
      bands.close('paced', origin);
      bands.close('breaker', origin);
    }
  };
}

/** The app's own calls, through the poller's wrapped fetch: refused in a cooldown. */
function startAppCalls(poller: Poller, base: string, every: number) {
  const politeFetch = poller.wrapFetch();
  const state = { refused: 0, stop: () => {} };
  if (every === 0) return state;
  const timer = setInterval(() => {
    politeFetch(`${base}${SUMMARY_PATH}`).catch((error: unknown) => {
      if (isRefusal(error)) state.refused++;
    });
  }, every);
  state.stop = () => clearInterval(timer);
  return state;
}
