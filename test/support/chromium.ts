import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** The system Chromium (Debian's package); CI may point CHROMIUM_PATH elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags that work as root with no network (see /work/shared/docs/browser-testing.md). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumAvailable = () => existsSync(CHROMIUM_PATH);

/** CI must run the browser tests; only a developer machine may skip them. */
export const isCI = () => {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
};

export interface RealChromium {
  browser: Browser;
  /** The default context: its pages can really go hidden (no focus emulation). */
  context: BrowserContext;
  /** The first tab. */
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts Chromium itself and connects over CDP without Playwright's defaults, so that pages
 * really go hidden (`launch()` pins every page to visible). The browser is killed on `close()`
 * and, as a last resort, when this process exits or is ended by a signal (Ctrl-C, a runner's
 * SIGTERM): it runs in its own process group, so the terminal's SIGINT never reaches it.
 */
export async function launchRealChromium(
  options: { extraFlags?: string[]; startTimeoutMs?: number } = {},
): Promise<RealChromium> {
  if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}`);
  const tmp = mkdtempSync(path.join(tmpdir(), 'pollwise-chromium-'));
  const proc = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_FLAGS,
      ...(options.extraFlags ?? []),
      `--user-data-dir=${path.join(tmp, 'profile')}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group, so that kill() takes the zygote and renderers down with it.
      detached: true,
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(tmp, 'config'),
        XDG_CACHE_HOME: path.join(tmp, 'cache'),
      },
    },
  );
  const removeTmp = () => {
    // The profile is only scratch space: a leftover temp folder must not fail a test run.
    try {
      rmSync(tmp, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    } catch (error) {
      console.warn(`[chromium] could not remove ${tmp}: ${(error as Error).message}`);
    }
  };
  const killOnExit = () => kill(proc);
  process.on('exit', killOnExit);
  const offSignals = onEndingSignal(() => {
    kill(proc);
    removeTmp();
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  const cleanup = async () => {
    kill(proc);
    await exited;
    process.off('exit', killOnExit);
    offSignals();
    removeTmp();
  };

  try {
    const ws = await devToolsUrl(proc, options.startTimeoutMs ?? 15_000);
    const browser = await chromium.connectOverCDP(ws, { noDefaults: true });
    const context = browser.contexts()[0];
    const page = context?.pages()[0] ?? (await context?.newPage());
    if (context === undefined || page === undefined) throw new Error('Chromium has no default tab');
    let closed = false;
    return {
      browser,
      context,
      page,
      async close() {
        if (closed) return;
        closed = true;
        await browser.close().catch(() => {});
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
}

/** Signals that end a run: Node emits no 'exit' for them. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `cleanup` when a signal would end this process, then lets the signal end it as it would
 * have: re-raised once no other listener is left (while others listen, they decide, as without
 * this one). Returns the remover.
 */
function onEndingSignal(cleanup: () => void): () => void {
  const remove = () => {
    for (const signal of ENDING_SIGNALS) process.off(signal, handler);
  };
  const handler = (signal: NodeJS.Signals) => {
    remove();
    cleanup();
    // With no listener left Node restores the default action: the process ends by the signal
    // (exit status 128 + its number, 130 for SIGINT, 143 for SIGTERM).
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const signal of ENDING_SIGNALS) process.on(signal, handler);
  return remove;
}

function kill(proc: ChildProcess) {
  // Even when the main process is gone its children may live on: always signal the group.
  try {
    if (proc.pid !== undefined)
      process.kill(-proc.pid, 'SIGKILL'); // the whole group
    else proc.kill('SIGKILL');
  } catch {
    try {
      proc.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function devToolsUrl(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const done = (error: Error | null, url?: string) => {
      clearTimeout(timer);
      proc.stderr?.off('data', onData);
      proc.off('exit', onExit);
      // Keep draining stderr so the browser never blocks on a full pipe.
      proc.stderr?.resume();
      if (error) reject(error);
      else resolve(url as string);
    };
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match?.[1]) done(null, match[1]);
    };
    const onExit = (code: number | null) =>
      done(new Error(`Chromium exited (${code}) before DevTools was ready:\n${stderr}`));
    const timer = setTimeout(
      () => done(new Error(`Chromium did not open DevTools within ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    proc.stderr?.on('data', onData);
    proc.once('exit', onExit);
  });
}
