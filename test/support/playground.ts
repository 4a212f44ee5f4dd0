// The playground under test: its server (Vite + backend, port 0, no hot reload) and pages
// opened in a real Chromium (test/support/chromium.ts), with the page's `window.__playground`.
import type { Page } from 'playwright-core';
import type { CountedRequest } from '../../playground/server/live-backend.js';
import {
  type RunningPlayground,
  startPlayground,
} from '../../playground/server/playground-server.js';
import type { BackendSettings } from '../../playground/server/settings.js';
import type { PageConfig } from '../../playground/web/config.js';
import '../../playground/web/playground-hook.js';

export type { RunningPlayground };

/** Starts the playground on free ports, quietly, without hot reload (it would block bfcache). */
export function startTestPlayground(settings: Partial<BackendSettings> = {}) {
  return startPlayground({ port: 0, hmr: false, logLevel: 'error', settings });
}

/** Opens the playground with `config` in `page` and waits until its dashboards run. */
export async function openPlayground(
  page: Page,
  playground: RunningPlayground,
  config: Partial<Record<keyof PageConfig, string | number | boolean>> = {},
) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(config)) {
    params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  await page.goto(`${playground.url}?${params}`);
  await page.waitForFunction(() => window.__playground !== undefined, undefined, { polling: 100 });
}

/** Polls `probe` until it returns something other than undefined or false. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

/** Requests the backend counted from `client` (default: the pollwise dashboard). */
export function counted(
  playground: RunningPlayground,
  filter: {
    client?: string;
    since?: number;
    until?: number;
    routes?: CountedRequest['route'][];
  } = {},
): CountedRequest[] {
  return playground.backend
    .requests({ client: filter.client ?? 'pollwise', since: filter.since })
    .filter(
      (r) =>
        (filter.until === undefined || r.at <= filter.until) &&
        (filter.routes === undefined || filter.routes.includes(r.route)),
    );
}

/** The poll requests (batch and per item) of the pollwise dashboard. */
export const POLL_ROUTES: CountedRequest['route'][] = ['batch', 'item'];
