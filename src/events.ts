import mitt from 'mitt';
import type { CooldownStart } from './cooldown/cooldown-registry.js';
import { InvalidOptionsError } from './errors.js';
import type { SkipReason } from './stats.js';

/** Every event a poller emits, with its payload. */
export type PollerEvents = {
  /** A request is about to reach the network. */
  request: { origin: string; url: string; method: string };
  /** A response arrived (any status). */
  response: { origin: string; url: string; status: number };
  /** A 429/503 started or extended an origin's cooldown. */
  cooldown: CooldownStart;
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

type Isolated = (event: never) => void;

/**
 * mitt with every handler isolated: one throwing handler neither breaks the poller nor stops
 * the other handlers.
 */
export function createEventBus(): EventBus {
  const emitter = mitt<PollerEvents>();
  /** The isolating wrapper of each (type, handler); removed with the handler, so nothing leaks. */
  const wrapped = new Map<keyof PollerEvents, Map<unknown, Isolated>>();
  const off: EventBus['off'] = (type, handler) => {
    const byHandler = wrapped.get(type);
    if (handler === undefined) {
      wrapped.delete(type);
      emitter.off(type);
      return;
    }
    const isolated = byHandler?.get(handler);
    if (isolated === undefined) return;
    byHandler?.delete(handler);
    if (byHandler?.size === 0) wrapped.delete(type);
    emitter.off(type, isolated as never);
  };
  return {
    on(type, handler) {
      // Refused here, not at every emit far from the call that gave it.
      if (typeof handler !== 'function') {
        throw new InvalidOptionsError([
          { option: 'handler', value: handler, message: 'must be a function' },
        ]);
      }
      let byHandler = wrapped.get(type);
      if (byHandler === undefined) {
        byHandler = new Map();
        wrapped.set(type, byHandler);
      }
      if (!byHandler.has(handler)) {
        // Same handler twice: once, like addEventListener.
        const isolated = (event: PollerEvents[typeof type]) => {
          try {
            handler(event);
          } catch (error) {
            reportUncaught(error);
          }
        };
        byHandler.set(handler, isolated as Isolated);
        emitter.on(type, isolated);
      }
      return () => off(type, handler);
    },
    off,
    emit(type, event) {
      emitter.emit(type, event);
    },
    hasListeners(type) {
      return (emitter.all.get(type)?.length ?? 0) > 0;
    },
    listenerCount() {
      let count = 0;
      for (const handlers of emitter.all.values()) count += handlers.length;
      return count;
    },
    clear() {
      emitter.all.clear();
      wrapped.clear();
    },
  };
}
