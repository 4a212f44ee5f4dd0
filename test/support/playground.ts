// The playground under test: its server (Vite + backend, port 0, no hot reload) and pages
// opened in a real Chromium (test/support/chromium.ts), with the page's `window.__playground`.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { CountedRequest } from '../../playground/server/live-backend.js';
import {
  type RunningPlayground,
  startPlayground,
} from '../../playground/server/playground-server.js';
import type { BackendSettings } from '../../playground/server/settings.js';
import type { PageConfig } from '../../playground/web/config.js';
import '../../playground/web/playground-hook.js';
import { launchRealChromium, type RealChromium } from './chromium.js';

export type { RunningPlayground };

/** Starts the playground on free ports, quietly, without hot reload (it would block bfcache). */
export function startTestPlayground(settings: Partial<BackendSettings> = {}) {
  return startPlayground({ port: 0, hmr: false, logLevel: 'error', settings });
}

export interface PlaygroundInChromium {
  readonly playground: RunningPlayground;
  readonly chrome: RealChromium;
  /** The browser's first tab. */
  readonly page: Page;
}

/**
 * Starts the playground (with `settings`) and a real Chromium (with `extraFlags`) before the
 * suite it is called in, and closes both after it, the browser first; also when a start fails
 * or the other close throws. The getters throw outside the suite's tests.
 */
export function usePlaygroundInChromium(
  options: {
    settings?: Partial<BackendSettings>;
    extraFlags?: string[];
    viewport?: { width: number; height: number };
  } = {},
): PlaygroundInChromium {
  let playground: RunningPlayground | undefined;
  let chrome: RealChromium | undefined;
  const close = async () => {
    const [b, p] = [chrome, playground];
    chrome = undefined;
    playground = undefined;
    try {
      await b?.close();
    } finally {
      await p?.close();
    }
  };
  beforeAll(async () => {
    try {
      playground = await startTestPlayground(options.settings);
      chrome = await launchRealChromium({ extraFlags: options.extraFlags });
      if (options.viewport !== undefined) await chrome.page.setViewportSize(options.viewport);
    } catch (error) {
      await close().catch(() => {});
      throw error;
    }
  });
  afterAll(close);
  const running = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running (outside the suite?)`);
    return value;
  };
  return {
    get playground() {
      return running(playground, 'the playground');
    },
    get chrome() {
      return running(chrome, 'Chromium');
    },
    get page() {
      return running(chrome, 'Chromium').page;
    },
  };
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
