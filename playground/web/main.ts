// The playground page's composition root: reads the config, starts both dashboards on their
// wire logs, binds the controls and the redraw loop.
import { BandLog } from './bands.js';
import { checkedConfig, type PageConfig, readConfig, writeConfig } from './config.js';
import { bindControls } from './controls.js';
import { naiveCounters, pollwiseCounters } from './counters-view.js';
import { drawDashboard } from './dashboard-view.js';
import { type NaiveDashboard, startNaiveDashboard } from './naive-dashboard.js';
import type { PlaygroundHook } from './playground-hook.js';
import { type PollwiseDashboard, startPollwiseDashboard } from './pollwise-dashboard.js';
import { type ClientCounts, serverApi } from './server-api.js';
import { TileBoard } from './tile-board.js';
import { createWireLog } from './wire-log.js';

/** Redraw period (ms); a hidden tab's timers run at most once a second anyway. */
const RENDER_EVERY_MS = 250;
/** How often the server's counts are fetched (ms). */
const COUNTS_EVERY_MS = 1000;

const apiOrigin =
  document.querySelector<HTMLMetaElement>('meta[name="pollwise-api"]')?.content ?? location.origin;
let config = readConfig(location.search);
const lifecycle: PlaygroundHook['lifecycle'] = [{ type: 'load', at: Date.now() }];

const pageBands = new BandLog();
const pw = { wire: createWireLog('pollwise'), bands: new BandLog(), board: new TileBoard() };
const nv = { wire: createWireLog('naive'), board: new TileBoard() };
let pollwise: PollwiseDashboard;
let naive: NaiveDashboard | undefined;
let startedAt = Date.now();
let counts: ClientCounts = {};

function start() {
  const origin = config.api === 'same' ? location.origin : apiOrigin;
  startedAt = Date.now();
  counts = {};
  pollwise = startPollwiseDashboard({ base: `${origin}/c/pollwise`, origin, config, ...pw });
  naive = config.naive
    ? startNaiveDashboard({ base: `${origin}/c/naive`, origin, config, ...nv })
    : undefined;
  if (!config.naive) nv.board.reset(0);
  document.querySelector('main')!.classList.toggle('solo', !config.naive);
  document.querySelector('#naive')!.toggleAttribute('hidden', !config.naive);
}

/** Applies `patch` (a value out of range keeps the current one); returns the config in use. */
function restart(patch: Partial<PageConfig>): PageConfig {
  const next = checkedConfig({ ...config, ...patch }, config);
  pollwise.stop();
  naive?.stop();
  config = next;
  history.replaceState(null, '', `${location.pathname}${writeConfig(config)}`);
  start();
  return config;
}

function render(now = Date.now()) {
  const hidden = pageBands.since(now - 60_000);
  drawDashboard(
    document.querySelector('#pollwise')!,
    {
      counters: pollwiseCounters(pollwise.poller.stats(), {
        meanAgeMs: pw.board.meanAge(now, startedAt),
        serverCounted: counts.pollwise?.requests,
        refusedAppCalls: pollwise.refusedAppCalls(),
      }),
      entries: pw.wire.entries(),
      bands: [...hidden, ...pw.bands.since(now - 60_000)],
      tiles: pw.board.tiles,
    },
    now,
  );
  const paused = pollwise.poller.paused;
  document.querySelector('#pollwise-state')!.textContent = paused ? 'paused' : '';
  document.querySelector('#pause')!.textContent = paused ? 'resume' : 'pause';
  if (naive === undefined) return;
  drawDashboard(
    document.querySelector('#naive')!,
    {
      counters: naiveCounters(nv.wire.totals(), {
        meanAgeMs: nv.board.meanAge(now, startedAt),
        serverCounted: counts.naive?.requests,
      }),
      entries: nv.wire.entries(),
      bands: hidden,
      tiles: nv.board.tiles,
    },
    now,
  );
}

function watchPage() {
  document.addEventListener('visibilitychange', () => {
    lifecycle.push({ type: 'visibilitychange', state: document.visibilityState, at: Date.now() });
    if (document.visibilityState === 'hidden') pageBands.open('hidden', '');
    else pageBands.close('hidden', '');
  });
  if (document.visibilityState === 'hidden') pageBands.open('hidden', '');
  for (const type of ['pageshow', 'pagehide'] as const) {
    window.addEventListener(type, (event) => {
      lifecycle.push({ type, persisted: event.persisted, at: Date.now() });
    });
  }
  // pointerdown, not click: the grid is redrawn 4 times a second, and a click whose press and
  // release land on two copies of a tile goes to the grid, not to the tile.
  document.querySelector('#pollwise .grid')!.addEventListener('pointerdown', (event) => {
    const tile = (event.target as Element).closest<HTMLElement>('.tile');
    if (tile?.dataset.id !== undefined) pollwise.toggle(Number(tile.dataset.id));
  });
}

/** Shows a failed switch (the server names the bad value) until the next change. */
function report(action: Promise<unknown>) {
  const status = document.querySelector('#status')!;
  action.then(
    () => {
      status.textContent = '';
    },
    (error: unknown) => {
      status.textContent = String(error instanceof Error ? error.message : error);
    },
  );
}

async function main() {
  start();
  watchPage();
  const settings = await serverApi.settings();
  bindControls(document.querySelector('form')!, settings, config, {
    updateServer: (patch) => report(serverApi.update(patch)),
    force429: (seconds) => report(serverApi.force429(seconds, 'pollwise')),
    restart,
    togglePause() {
      if (pollwise.poller.paused) pollwise.poller.resume();
      else pollwise.poller.pause();
    },
  });
  setInterval(() => render(), RENDER_EVERY_MS);
  setInterval(() => {
    serverApi.counts(startedAt).then(
      (next) => {
        counts = next;
      },
      () => {},
    );
  }, COUNTS_EVERY_MS);
  window.__playground = {
    config: () => ({ ...config }),
    apiOrigin,
    restart,
    updateServer: (patch) => serverApi.update(patch),
    pollwise: () => ({
      stats: pollwise.poller.stats(),
      inspect: pollwise.poller.inspect(),
      wire: pw.wire.entries(),
      refusedAppCalls: pollwise.refusedAppCalls(),
      paused: pollwise.poller.paused,
      tiles: pw.board.tiles,
    }),
    naive: () => ({ wire: nv.wire.entries() }),
    pause: () => pollwise.poller.pause(),
    resume: () => pollwise.poller.resume(),
    render,
    lifecycle,
  };
  render();
}

void main();
