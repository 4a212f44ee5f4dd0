import { parseHttpDate } from './http-date.js';

export interface RetryAfterContext {
  /** Local clock, epoch ms. */
  now: number;
  /** The response's `Date` header: HTTP-dates are measured against it to cancel clock skew. */
  date?: string | null;
  /** Upper bound of the result in ms. */
  maxMs: number;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as a delay in ms from now, or null when absent or unreadable.
 * Delay-seconds or HTTP-date; `0` and past dates mean "retry now"; negative or garbage values
 * count as absent; huge values (epoch seconds sent by mistake) are clamped to `maxMs`.
 * Never throws, never returns NaN or a negative number, never exceeds `maxMs`.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  ctx: RetryAfterContext,
): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  const maxMs = Math.max(0, ctx.maxMs);
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, maxMs);
  const retryAt = parseHttpDate(text, ctx.now);
  if (retryAt === null) return null;
  const dateHeader = typeof ctx.date === 'string' ? parseHttpDate(ctx.date.trim(), ctx.now) : null;
  const delay = retryAt - (dateHeader ?? ctx.now);
  return Math.min(Math.max(0, delay), maxMs);
}
