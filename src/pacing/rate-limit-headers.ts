/**
 * What one response announces about its origin's rate limit: IETF `RateLimit`/`RateLimit-Policy`
 * (draft-11, and the draft-8 and draft-7 shapes express-rate-limit sends), `RateLimit-Limit`/
 * `-Remaining`/`-Reset` (drafts <= 06) and `X-RateLimit-*` (GitHub and many others).
 * Pure: no clock, no state. Never throws: a bad header is counted, not trusted.
 */
import { parseHttpDate } from '../cooldown/http-date.js';
import {
  type DictMember,
  type Item,
  integerOf,
  nameOf,
  numberOf,
  parseDictMember,
  parseList,
  parseMember,
  splitMembers,
  trimOws,
} from './structured-fields.js';

/** Header access as `Headers` offers it; called with lower-case names. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** One quota a response announced. */
export interface AnnouncedQuota {
  /** Policy name as announced; 'default' when the header family has none. */
  policy: string;
  /** Requests left before the reset (integer >= 0). */
  remaining: number;
  /** ms from the response until the quota resets (>= 0). */
  resetMs: number;
  /** Requests per window, when announced (RateLimit-Policy q, RateLimit-Limit, X-RateLimit-Limit). */
  limit: number | undefined;
  /** Window length in ms, when announced (w). */
  windowMs: number | undefined;
}

export interface RateLimitReading {
  /** Every usable quota the response announced (several policies: the caller enforces all). Empty when none. */
  quotas: AnnouncedQuota[];
  /** Rate-limit header fields that were present but unusable (garbage, negative, out of sanity caps). */
  malformed: number;
}

// Sanity caps. A value past one is a confused server, not information: the field is unusable.
/** Largest remaining or limit count believed. */
const MAX_COUNT = 1e9;
/** Longest reset believed (7 days, in s): one bad header must not stall an origin for years. */
const MAX_RESET_S = 7 * 24 * 3600;
/** Longest policy window believed (366 days, in s): yearly quotas exist. */
const MAX_WINDOW_S = 366 * 24 * 3600;
/** A reset this large is a UTC epoch in seconds (2001-09-09 onwards), not a delta. */
const EPOCH_S_FROM = 1e9;
/** A reset this large is a UTC epoch in milliseconds. */
const EPOCH_MS_FROM = 1e12;
/** Longest X-Poll-Interval obeyed (1 day, in s); a longer one is clamped to it. */
const MAX_POLL_INTERVAL_S = 24 * 3600;

const UNSIGNED = /^\d+$/;
const UNSIGNED_DECIMAL = /^\d+(?:\.\d+)?$/;

/** Reads the rate-limit headers of one response. Never throws (headers.get may throw: treat as absent). */
export function readRateLimit(headers: HeaderReader, now: number): RateLimitReading {
  const policies = readPolicies(getField(headers, 'ratelimit-policy'));
  // Newest family first; an older family's quotas count only when no newer one had any.
  const families = [
    readRateLimitField(getField(headers, 'ratelimit'), policies),
    readSplitFields(headers, policies),
    readXFields(headers, now),
  ];
  let quotas: AnnouncedQuota[] = [];
  let malformed = policies.malformed;
  for (const family of families) {
    malformed += family.malformed;
    if (quotas.length === 0) quotas = family.quotas;
  }
  return { quotas, malformed };
}

/**
 * X-Poll-Interval (GitHub: whole seconds, decimals taken) in whole ms, clamped to a day; null
 * when absent, malformed or 0 (no floor, as if absent). Never throws.
 */
export function readPollInterval(headers: HeaderReader): number | null {
  const text = getField(headers, 'x-poll-interval');
  if (text === null || !UNSIGNED_DECIMAL.test(text)) return null;
  const seconds = Number(text);
  if (!(seconds > 0)) return null;
  return Math.max(1, Math.min(toMs(seconds), MAX_POLL_INTERVAL_S * 1000));
}

/**
 * One header field, trimmed; null when absent, empty or unreadable. Every name is a lower-case
 * literal at its call (test/docs/readme-cors.test.ts finds the headers pollwise reads by them).
 */
function getField(headers: HeaderReader, name: string): string | null {
  try {
    const value: unknown = headers.get(name);
    if (typeof value !== 'string') return null;
    const text = trimOws(value);
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/** Seconds to whole ms, rounded up; the µs rounding first drops float noise (0.3 s is 300 ms). */
function toMs(seconds: number): number {
  return Math.ceil(Math.round(seconds * 1e6) / 1e3);
}

const isCount = (n: number | undefined): n is number =>
  n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_COUNT;
/** `n` when it is a count, else null (unusable). */
const countOf = (n: number | undefined) => (isCount(n) ? n : null);

/** Delta seconds (integer or decimal) to ms, or null past the cap or when not a number. */
function deltaMs(seconds: number | undefined): number | null {
  if (seconds === undefined || !(seconds >= 0) || seconds > MAX_RESET_S) return null;
  return toMs(seconds);
}

interface FamilyReading {
  quotas: AnnouncedQuota[];
  malformed: number;
}

// ---------------------------------------------------------------------------------------------
// RateLimit-Policy: draft-11 named policies, or the numeric `100;w=60` of drafts 06 and 07.

interface NamedPolicy {
  /** Only request quotas bound requests; a content-bytes policy's `r` counts bytes. */
  requests: boolean;
  limit: number | undefined;
  windowMs: number | undefined;
}
interface NumericPolicy {
  limit: number;
  windowMs: number | undefined;
}
interface Policies {
  named: Map<string, NamedPolicy>;
  numeric: NumericPolicy[];
  malformed: number;
}

function readPolicies(field: string | null): Policies {
  const policies: Policies = { named: new Map(), numeric: [], malformed: 0 };
  for (const item of parseList(field, policies)) {
    const name = nameOf(item.value);
    if (name !== null) {
      const policy = namedPolicy(item);
      if (policy === null) policies.malformed++;
      else if (!policies.named.has(name)) policies.named.set(name, policy);
    } else {
      const policy = numericPolicy(item);
      if (policy === null) policies.malformed++;
      else policies.numeric.push(policy);
    }
  }
  return policies;
}

function namedPolicy(item: Item): NamedPolicy | null {
  const unit = item.params.get('qu');
  if (unit !== undefined && nameOf(unit) === null) return null;
  // Other units are valid policies, just not ours to enforce: their q need not fit our caps.
  if (unit !== undefined && nameOf(unit) !== 'requests') {
    return { requests: false, limit: undefined, windowMs: undefined };
  }
  const q = integerOf(item.params.get('q'));
  const windowMs = windowOf(item);
  if (!isCount(q) || windowMs === null) return null;
  return { requests: true, limit: q, windowMs };
}

function numericPolicy(item: Item): NumericPolicy | null {
  const limit = integerOf(item.value);
  const windowMs = windowOf(item);
  if (!isCount(limit) || windowMs === null) return null;
  return { limit, windowMs };
}

/** The `w` parameter in ms: undefined when absent, null when unusable. */
function windowOf(item: Item): number | null | undefined {
  const w = item.params.get('w');
  if (w === undefined) return undefined;
  const seconds = numberOf(w);
  return seconds !== undefined && seconds > 0 && seconds <= MAX_WINDOW_S ? toMs(seconds) : null;
}

/** The policy matching a limit announced apart from it (drafts 06 and 07), else the first one. */
function numericMatch(policies: Policies, limit: number | undefined): NumericPolicy | undefined {
  return policies.numeric.find((p) => p.limit === limit) ?? policies.numeric[0];
}

// ---------------------------------------------------------------------------------------------
// RateLimit: a draft-11 List (`"default";r=50;t=30`) or a draft-07 Dictionary (`remaining=5, ...`).

function readRateLimitField(field: string | null, policies: Policies): FamilyReading {
  if (field === null) return { quotas: [], malformed: 0 };
  const members = splitMembers(field);
  const entries = members.map(parseDictMember);
  const isDictionary = entries.some(
    (e) => e?.explicit && ['limit', 'remaining', 'reset'].includes(e.key),
  );
  return isDictionary ? readDraft7(entries, policies) : readDraft11(members, policies);
}

function readDraft11(members: string[], policies: Policies): FamilyReading {
  const reading: FamilyReading = { quotas: [], malformed: 0 };
  for (const member of members) {
    const item = parseMember(member);
    const quota = item === null ? null : quotaOf(item, policies);
    if (quota === null) reading.malformed++;
    else if (quota !== SKIP) reading.quotas.push(quota);
  }
  return reading;
}

const SKIP = Symbol('not a request quota');

function quotaOf(item: Item, policies: Policies): AnnouncedQuota | typeof SKIP | null {
  const name = nameOf(item.value);
  if (name === null) return null;
  const policy = policies.named.get(name);
  if (policy && !policy.requests) return SKIP;
  const remaining = integerOf(item.params.get('r'));
  if (!isCount(remaining)) return null;
  const t = item.params.get('t');
  // No t: the quota resets within its window at the latest.
  const resetMs = t !== undefined ? deltaMs(numberOf(t)) : windowAsReset(policy?.windowMs);
  if (resetMs === null) return null;
  return { policy: name, remaining, resetMs, limit: policy?.limit, windowMs: policy?.windowMs };
}

const windowAsReset = (ms: number | undefined) =>
  ms !== undefined && ms <= MAX_RESET_S * 1000 ? ms : null;

function readDraft7(entries: (DictMember | null)[], policies: Policies): FamilyReading {
  let malformed = 0;
  const values = new Map<string, Item>();
  for (const entry of entries) {
    if (entry === null) malformed++;
    else values.set(entry.key, entry.item);
  }
  const field = (key: string, read: (n: number | undefined) => number | null) => {
    const item = values.get(key);
    if (item === undefined) return undefined;
    const value = read(numberOf(item.value));
    if (value === null) malformed++;
    return value ?? undefined;
  };
  const limit = field('limit', countOf);
  const remaining = field('remaining', countOf);
  const resetMs = field('reset', deltaMs);
  const quota = assemble(remaining, resetMs, limit, numericMatch(policies, limit));
  if (quota === null) malformed++;
  return { quotas: quota ? [quota] : [], malformed };
}

/**
 * One quota from separately read parts: undefined when no remaining count was announced, null
 * when one was but no usable reset came with it.
 */
function assemble(
  remaining: number | undefined,
  resetMs: number | undefined,
  limit: number | undefined,
  policy: NumericPolicy | undefined,
): AnnouncedQuota | null | undefined {
  if (remaining === undefined) return undefined;
  if (resetMs === undefined) return null;
  return {
    policy: 'default',
    remaining,
    resetMs,
    limit: limit ?? policy?.limit,
    windowMs:
      policy && (limit === undefined || policy.limit === limit) ? policy.windowMs : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// RateLimit-Limit / -Remaining / -Reset (drafts <= 06): Structured-Field Items and Lists.

function readSplitFields(headers: HeaderReader, policies: Policies): FamilyReading {
  const reading: FamilyReading = { quotas: [], malformed: 0 };
  const single = (field: string | null, read: (n: number | undefined) => number | null) => {
    if (field === null) return undefined;
    const items = parseList(field, reading);
    const value = items.length === 1 ? read(numberOf(items[0]?.value)) : null;
    if (value === null && items.length > 0) reading.malformed++;
    return value ?? undefined;
  };
  const remaining = single(getField(headers, 'ratelimit-remaining'), countOf);
  const resetMs = single(getField(headers, 'ratelimit-reset'), deltaMs);
  // `100` or `100, 100;w=60, 1000;w=3600`: the first member is the limit in force.
  const limits: NumericPolicy[] = [];
  for (const item of parseList(getField(headers, 'ratelimit-limit'), reading)) {
    const policy = numericPolicy(item);
    if (policy === null) reading.malformed++;
    else limits.push(policy);
  }
  const limit = limits[0]?.limit;
  const withWindow = limits.find((p) => p.limit === limit && p.windowMs !== undefined);
  const quota = assemble(remaining, resetMs, limit, withWindow ?? numericMatch(policies, limit));
  if (quota === null) reading.malformed++;
  else if (quota) reading.quotas.push(quota);
  return reading;
}

// ---------------------------------------------------------------------------------------------
// X-RateLimit-*: plain numbers; the reset is delta seconds or a UTC epoch (GitHub: seconds).

function readXFields(headers: HeaderReader, now: number): FamilyReading {
  let malformed = 0;
  const read = (text: string | null, pattern: RegExp, accept: (n: number) => number | null) => {
    if (text === null) return undefined;
    const value = pattern.test(text) ? accept(Number(text)) : null;
    if (value === null) malformed++;
    return value ?? undefined;
  };
  const limit = read(getField(headers, 'x-ratelimit-limit'), UNSIGNED, countOf);
  const remaining = read(getField(headers, 'x-ratelimit-remaining'), UNSIGNED, countOf);
  // A delta needs no clock: it wins over the epoch when both came (Discord sends both).
  const after = read(getField(headers, 'x-ratelimit-reset-after'), UNSIGNED_DECIMAL, deltaMs);
  const date = getField(headers, 'date');
  const base = (date !== null ? parseHttpDate(date, now) : null) ?? now;
  const reset = read(getField(headers, 'x-ratelimit-reset'), UNSIGNED_DECIMAL, (n) =>
    resetFrom(n, base),
  );
  const quota = assemble(remaining, after ?? reset, limit, undefined);
  if (quota === null) malformed++;
  return { quotas: quota ? [quota] : [], malformed };
}

/** A reset in delta seconds, epoch seconds or epoch ms, as ms after `base` (the response's time). */
function resetFrom(value: number, base: number): number | null {
  if (value < EPOCH_S_FROM) return deltaMs(value);
  const at = value >= EPOCH_MS_FROM ? value : value * 1000;
  const ms = Math.ceil(at - base);
  if (!Number.isFinite(ms) || ms > MAX_RESET_S * 1000) return null;
  return Math.max(0, ms);
}
