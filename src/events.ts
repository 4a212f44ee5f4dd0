import mitt from 'mitt';
import type { CooldownStart } from './cooldown/cooldown-registry.js';
import { invalid } from './errors.js';
import type { SkipReason } from './stats.js';

/** Every event a poller emits, with its payload. */
export type PollerEvents = {
  /** A request is about to reach the network. */
  request: { origin: string; url: string; method: string };
  /** A response arrived (any status). */
  response: { origin: string; url: string; status: number };
  /** A 429/503 started or extended an origin's cooldown. */
  cooldown: CooldownStart;
  /**
   * An origin's budget became known or changed shape: announced by RateLimit headers, or
   * learned from a 429 (limit = requests the window accepted, reset = the Retry-After instant).
   */
  budget: {
    origin: string;
    source: 'announced' | 'learned';
    limit: number | undefined;
    remaining: number;
    resetAt: number;
    windowMs: number | undefined;
  };
  /** A poll delivered data. */
  data: { key: string | undefined; origin: string; data: unknown };
  /** A poll failed, or a user callback threw (`source: 'callback'`). */
  error: { key: string | undefined; origin: string; error: unknown; source: 'poll' | 'callback' };
  /** A tick skipped `count` due polls of one origin. */
  skip: { origin: string; reason: SkipReason; count: number };
  /** A resource's batch request was answered (`status`), or failed before any answer (no event). */
  batch: { url: string; keys: number; status: number };
  /** A resource's batch endpoint is missing: its keys are read per item until `until`. */
  fallback: { origin: string; until: number; keys: number };
  /** An origin's breaker opened: requests to it fail fast until `until`, then one probe goes. */
  'breaker:open': { origin: string; until: number; failures: number; samples: number };
  /** The breaker lets one probe through; its outcome closes or reopens it. */
  'breaker:half-open': { origin: string };
  /** The probe succeeded: the origin is healthy again. */
  'breaker:close': { origin: string };
  visibility: { visible: boolean };
  online: { online: boolean };
};

export type EventHandler<K extends keyof PollerEvents> = (event: PollerEvents[K]) => void;

export interface EventBus {
  /** Adds `handler`; returns the function that removes it. */
  on<K extends keyof PollerEvents>(type: K, handler: EventHandler<K>): () => void;
  off<K extends keyof PollerEvents>(type: K, handler?: EventHandler<K>): void;
  emit<K extends keyof PollerEvents>(type: K, event: PollerEvents[K]): void;
  hasListeners(type: keyof PollerEvents): boolean;
  listenerCount(): number;
  clear(): void;
}

/** Reports an error nobody can catch without throwing it (no unhandled rejection, no crash). */
export function reportUncaught(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  try {
    if (typeof report === 'function') report(error);
  } catch {
    // Last resort: an error reporter that throws has nowhere left to report to.
  }
}

/**
 * The poller's events, on mitt. Every handler is isolated: one that throws neither breaks the
 * poller nor stops the other handlers.
 */
export function createEventBus(): EventBus {
  const emitter = mitt<PollerEvents>();
  /** Each type's handlers and their isolating wrappers; a handler added twice is held once. */
  const all = new Map<keyof PollerEvents, Map<unknown, (event: never) => void>>();
  const off: EventBus['off'] = (type, handler) => {
    const wrappers = all.get(type);
    const wrapper = wrappers?.get(handler);
    if (handler === undefined) emitter.off(type);
    else if (wrapper !== undefined) emitter.off(type, wrapper as never);
    // No type is kept without handlers: hasListeners() is a lookup, and nothing leaks.
    if (handler === undefined || (wrappers?.delete(handler) && wrappers.size === 0)) {
      all.delete(type);
    }
  };
  return {
    on(type, handler) {
      // Refused here, not at every emit far from the call that gave it.
      if (typeof handler !== 'function') throw invalid('handler', handler, 'must be a function');
      const wrappers = all.get(type) ?? new Map();
      all.set(type, wrappers);
      if (!wrappers.has(handler)) {
        const wrapper = (event: never) => {
          try {
            handler(event);
          } catch (error) {
            reportUncaught(error);
          }
        };
        wrappers.set(handler, wrapper);
        emitter.on(type, wrapper as never);
      }
      return () => off(type, handler);
    },
    off,
    // mitt calls a copy of the list: handlers added or removed by a handler count from the next.
    emit: (type, event) => emitter.emit(type, event),
    hasListeners: (type) => all.has(type),
    listenerCount() {
      let count = 0;
      for (const wrappers of all.values()) count += wrappers.size;
      return count;
    },
    clear() {
      emitter.all.clear();
      all.clear();
    },
  };
}
