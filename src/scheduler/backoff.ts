export interface BackoffSettings {
  baseMs: number;
  capMs: number;
}

/** Upper bound of the wait after `failures` consecutive failures: base·2^(n-1), capped. */
export function backoffCeiling(settings: BackoffSettings, failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(settings.capMs, settings.baseMs * 2 ** Math.min(failures - 1, 52));
}

/** Full jitter (AWS): a uniform pick in [0, ceiling], so failing clients spread out. */
export function fullJitterBackoff(
  settings: BackoffSettings,
  failures: number,
  random: () => number,
): number {
  return random() * backoffCeiling(settings, failures);
}
