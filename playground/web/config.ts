/** What the page runs, from its URL (`?items=100&interval=1000&api=cross&naive=0`). */
export interface PageConfig {
  /** Items on each dashboard (run ids 0 … items-1). */
  items: number;
  /** The host policy's interval for the API origin (ms); the naive dashboard uses it too. */
  interval: number;
  /** Keys per batch request of the pollwise resource. */
  batchSize: number;
  /** `same`: the API on the page's origin; `cross`: on the API port (CORS). */
  api: 'same' | 'cross';
  /** Whether the naive dashboard runs beside pollwise. */
  naive: boolean;
  /** How often the app's own wrapped `fetch` reads the summary (ms); 0: never. */
  summaryEvery: number;
}

export const DEFAULT_CONFIG: Readonly<PageConfig> = Object.freeze({
  items: 48,
  interval: 1000,
  batchSize: 64,
  api: 'same',
  naive: true,
  summaryEvery: 2000,
});

/** The backend serves run ids 0 … 255; its batch route takes at most 64 runs. */
const LIMITS = {
  items: [1, 256],
  interval: [100, 60_000],
  batchSize: [1, 64],
  summaryEvery: [0, 60_000],
} as const;

/** `value` when it is an integer within the limits of `name`, else undefined. */
function inRange(name: keyof typeof LIMITS, value: unknown): number | undefined {
  const [min, max] = LIMITS[name];
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
    ? (value as number)
    : undefined;
}

/** `next`, with every number out of range (or not a number) taken from `fallback`. */
export function checkedConfig(next: PageConfig, fallback: PageConfig): PageConfig {
  const config = { ...next };
  for (const name of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    config[name] = inRange(name, next[name]) ?? fallback[name];
  }
  if (config.api !== 'same' && config.api !== 'cross') config.api = fallback.api;
  return config;
}

/** The config a query string asks for; unknown or out-of-range values keep their defaults. */
export function readConfig(search: string): PageConfig {
  const params = new URLSearchParams(search);
  const config: PageConfig = { ...DEFAULT_CONFIG };
  for (const name of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const raw = params.get(name);
    const value = inRange(name, raw === null || raw.trim() === '' ? Number.NaN : Number(raw));
    if (value !== undefined) config[name] = value;
  }
  const api = params.get('api');
  if (api === 'same' || api === 'cross') config.api = api;
  const naive = params.get('naive');
  if (naive === '0' || naive === '1') config.naive = naive === '1';
  return config;
}

/** The query string of `config`, with only what differs from the defaults. */
export function writeConfig(config: PageConfig): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(config)) {
    if (value === DEFAULT_CONFIG[name as keyof PageConfig]) continue;
    params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
