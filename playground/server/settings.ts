/**
 * The switches of the playground's backend, their defaults and their checks. The page changes
 * them at run time through `POST /__playground/settings`; tests set them the same way.
 */
export interface BackendSettings {
  /** Whether `POST /api/get_logs_batch` exists; off plays an older backend (404). */
  batchEndpoint: boolean;
  /** Requests each client may make per minute (rolling window). */
  limitPerMinute: number;
  /** Time from request to answer (ms). */
  latencyMs: number;
  /** Share of requests answered 500 before the rate limit sees them (no budget used), in [0, 1]. */
  errorRate: number;
  /** Whether the API port exposes `Retry-After` to the page through CORS. */
  exposeRetryAfter: boolean;
  /** Whether every answer announces the quota in draft-11 `RateLimit` headers. */
  rateLimitHeaders: boolean;
}

export const DEFAULT_SETTINGS: Readonly<BackendSettings> = Object.freeze({
  batchEndpoint: true,
  limitPerMinute: 120,
  latencyMs: 40,
  errorRate: 0,
  exposeRetryAfter: true,
  rateLimitHeaders: false,
});

/** Items the backend serves: run ids 0 … ITEM_COUNT-1. */
export const ITEM_COUNT = 256;

/** The longest Retry-After a forced 429 may ask for (s). */
export const MAX_FORCED_RETRY_AFTER_S = 600;

const CHECKS: { [K in keyof BackendSettings]: (value: unknown) => boolean } = {
  batchEndpoint: (v) => typeof v === 'boolean',
  limitPerMinute: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100_000,
  latencyMs: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10_000,
  errorRate: (v) => typeof v === 'number' && v >= 0 && v <= 1,
  exposeRetryAfter: (v) => typeof v === 'boolean',
  rateLimitHeaders: (v) => typeof v === 'boolean',
};

/** A value as the message shows it: JSON, but NaN and the infinities by name. */
const show = (value: unknown) =>
  typeof value === 'number' ? String(value) : JSON.stringify(value);

/** `current` with the valid fields of `patch`; throws naming the first bad field and value. */
export function mergeSettings(current: BackendSettings, patch: unknown): BackendSettings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new TypeError(`settings must be an object, got ${JSON.stringify(patch)}`);
  }
  const next = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    // Own names only: `constructor` or `__proto__` from a JSON body is an unknown setting.
    if (!Object.hasOwn(CHECKS, name))
      throw new TypeError(`unknown setting ${JSON.stringify(name)}`);
    if (!CHECKS[name as keyof BackendSettings](value)) {
      throw new TypeError(`${name}: bad value ${show(value)}`);
    }
    (next as Record<string, unknown>)[name] = value;
  }
  return next;
}
