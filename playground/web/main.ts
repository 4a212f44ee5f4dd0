// The playground page's composition root: reads the config, starts both dashboards on their
// wire logs, binds the controls, and redraws the views. Nothing else happens here.
import { BandLog } from './bands.js';
import { type PageConfig, readConfig, writeConfig } from './config.js';
import { bindControls } from './controls.js';
import { countersHtml, naiveCounters, pollwiseCounters } from './counters-view.js';
import { gridHtml } from './grid-view.js';
import { type NaiveDashboard, startNaiveDashboard } from './naive-dashboard.js';
import type { PlaygroundHook } from './playground-hook.js';
import { type PollwiseDashboard, startPollwiseDashboard } from './pollwise-dashboard.js';
import { type ClientCounts, serverApi } from './server-api.js';
import { TileBoard } from './tile-board.js';
import { timelineSvg } from './timeline-view.js';
import { createWireLog } from './wire-log.js';

/** Redraws per second while visible (a hidden tab's timers run at most once a second). */
const RENDER_EVERY_MS = 250;
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
  pollwise = startPollwiseDashboard({ base: `${origin}/c/pollwise`, origin, config, ...pw });
  naive = config.naive
    ? startNaiveDashboard({ base: `${origin}/c/naive`, origin, config, ...nv })
    : undefined;
  if (!config.naive) nv.board.reset(0);
  document.querySelector('main')!.classList.toggle('solo', !config.naive);
  document.querySelector('#naive')!.toggleAttribute('hidden', !config.naive);
}

function restart(patch: Partial<PageConfig>) {
  pollwise.stop();
  naive?.stop();
  config = { ...config, ...patch };
  history.replaceState(null, '', `${location.pathname}${writeConfig(config)}`);
  start();
}

function render(now = Date.now()) {
  const hidden = pageBands.since(now - 60_000);
  const pwSection = document.querySelector('#pollwise')!;
  pwSection.querySelector('.counters')!.innerHTML = countersHtml(
    pollwiseCounters(pollwise.poller.stats(), {
      meanAgeMs: pw.board.meanAge(now, startedAt),
      serverCounted: counts.pollwise?.requests,
      refusedAppCalls: pollwise.refusedAppCalls(),
    }),
  );
  drawTimeline(pwSection, pw.wire.entries(), [...hidden, ...pw.bands.since(now - 60_000)], now);
  pwSection.querySelector('.grid')!.innerHTML = gridHtml(pw.board.tiles, now);
  document.querySelector('#pollwise-state')!.textContent = pollwise.poller.paused ? 'paused' : '';
  if (naive === undefined) return;
  const nvSection = document.querySelector('#naive')!;
  nvSection.querySelector('.counters')!.innerHTML = countersHtml(
    naiveCounters(nv.wire.totals(), {
      meanAgeMs: nv.board.meanAge(now, startedAt),
      serverCounted: counts.naive?.requests,
    }),
  );
  drawTimeline(nvSection, nv.wire.entries(), hidden, now);
  nvSection.querySelector('.grid')!.innerHTML = gridHtml(nv.board.tiles, now);
}

function drawTimeline(
  section: Element,
  entries: Parameters<typeof timelineSvg>[0]['entries'],
  bands: Parameters<typeof timelineSvg>[0]['bands'],
  now: number,
) {
  const host = section.querySelector<HTMLElement>('.timeline-host')!;
  host.innerHTML = timelineSvg({ entries, bands, now, width: Math.max(360, host.clientWidth) });
}

function watchPage() {
  const onVisibility = () => {
    lifecycle.push({ type: 'visibilitychange', state: document.visibilityState, at: Date.now() });
    if (document.visibilityState === 'hidden') pageBands.open('hidden', '');
    else pageBands.close('hidden', '');
  };
  document.addEventListener('visibilitychange', onVisibility);
  if (document.visibilityState === 'hidden') pageBands.open('hidden', '');
  for (const type of ['pageshow', 'pagehide'] as const) {
    window.addEventListener(type, (event) => {
      lifecycle.push({ type, persisted: event.persisted, at: Date.now() });
    });
  }
  document.querySelector('.grid')!.addEventListener('click', (event) => {
    const tile = (event.target as Element).closest<HTMLElement>('.tile');
    if (tile?.dataset.id !== undefined) pollwise.toggle(Number(tile.dataset.id));
  });
}

async function main() {
  start();
  watchPage();
  const settings = await serverApi.settings();
  bindControls(document.querySelector('form')!, settings, config, {
    updateServer: (patch) => void serverApi.update(patch),
    force429: (seconds) => void serverApi.force429(seconds, 'pollwise'),
    restart,
    togglePause() {
      if (pollwise.poller.paused) pollwise.poller.resume();
      else pollwise.poller.pause();
      return pollwise.poller.paused;
    },
  });
  setInterval(() => render(), RENDER_EVERY_MS);
  setInterval(() => {
    serverApi.counts().then(
      (next) => {
        counts = next;
      },
      () => {},
    );
  }, COUNTS_EVERY_MS);
  const hook: PlaygroundHook = {
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
  window.__playground = hook;
  render();
}

void main();
