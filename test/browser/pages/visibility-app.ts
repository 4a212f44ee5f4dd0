// Page script for visibility.chromium.test.ts, bundled by esbuild straight from src/.
// The poller gets NO visibility or online source: it must use the default documentVisibility().
import { createPoller, type PollerStats } from '../../../src/index.js';

/** One ordered log, so "no request between hidden and shown" needs no clock comparison. */
export type AppEvent =
  /** The poller's 'visibility' event, with the document's state at that moment. */
  | { type: 'visibility'; visible: boolean; state: DocumentVisibilityState; at: number }
  /** The poller's 'request' event: a request about to reach the network. */
  | { type: 'request'; url: string; at: number }
  /** The page's own visibilitychange / freeze / resume, for diagnostics. */
  | { type: 'lifecycle'; name: string; state: DocumentVisibilityState; at: number };

export interface VisibilityAppState {
  events: AppEvent[];
  /** Poll runs that delivered data. */
  data: number;
  errors: string[];
  stats(): PollerStats;
}

declare global {
  interface Window {
    __app?: VisibilityAppState;
  }
}

const run = new URLSearchParams(location.search).get('run') ?? '0';
const poller = createPoller({ loopbackInterval: 200, jitter: 0 });

const state: VisibilityAppState = {
  events: [],
  data: 0,
  errors: [],
  stats: () => poller.stats(),
};

for (const name of ['visibilitychange', 'freeze', 'resume']) {
  document.addEventListener(name, () =>
    state.events.push({ type: 'lifecycle', name, state: document.visibilityState, at: Date.now() }),
  );
}
poller.on('visibility', ({ visible }) =>
  state.events.push({
    type: 'visibility',
    visible,
    state: document.visibilityState,
    at: Date.now(),
  }),
);
poller.on('request', ({ url }) => state.events.push({ type: 'request', url, at: Date.now() }));
poller.on('error', ({ error }) => state.errors.push(String(error)));

// A relative URL: resolved against location.href, so it stays on this loopback origin.
// The data event fires on every successful run (onData only when the data changes).
poller.on('data', () => {
  state.data++;
});
poller.poll(`/tick?run=${run}`);

window.__app = state;
