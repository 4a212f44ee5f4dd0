import * as z from 'zod/mini';
import { DEFAULTS } from '../defaults.js';
import { InvalidOptionsError, type OptionIssue } from '../errors.js';
import {
  count,
  fn,
  hiddenInterval,
  is,
  nonNegativeMs,
  positiveMs,
  standardSchema,
  string,
  timerMs,
  validateZodOptions,
} from './option-kinds.js';
import type { ResourceOptions } from './types.js';

// One schema for every function option: the option's name says which function it is.
const aFunction = fn('a function');

// Lives with `pollwise/resource`, so that a poll-only app never carries it.
export const resourceOptionsSchema = z.strictObject({
  item: z.strictObject(
    {
      url: z.optional(aFunction),
      load: z.optional(aFunction),
      schema: z.optional(standardSchema),
      select: z.optional(aFunction),
    },
    { error: 'must be { url, schema?, select? } or { load, schema?, select? }' },
  ),
  batch: z.optional(
    z.strictObject({
      url: z.optional(
        is<string | URL | ((keys: never) => unknown)>(
          (v) => typeof v === 'string' || v instanceof URL || typeof v === 'function',
          'a URL, or a function from the keys to a URL',
        ),
      ),
      load: z.optional(aFunction),
      method: z.optional(
        is<'GET' | 'POST' | 'PUT' | 'PATCH'>(
          (v) => v === 'GET' || v === 'POST' || v === 'PUT' || v === 'PATCH',
          'GET, POST, PUT or PATCH',
        ),
      ),
      body: z.optional(aFunction),
      select: z.optional(aFunction),
      key: aFunction,
      data: z.optional(aFunction),
      maxSize: z.optional(count),
      maxUrlLength: z.optional(count),
    }),
  ),
  origin: z.optional(
    string('an origin string').check(
      z.refine((s) => originOf(s) !== undefined, {
        error: "must be an origin such as 'https://api.example.com'",
      }),
    ),
  ),
  keyId: z.optional(aFunction),
  interval: z.optional(positiveMs),
  hiddenInterval: z.optional(hiddenInterval),
  window: z.optional(timerMs),
  concurrency: z.optional(count),
  reprobeAfter: z.optional(nonNegativeMs),
  maxItems: z.optional(count),
  gcTime: z.optional(nonNegativeMs),
});

/** `'https://api.example.com'` (a trailing slash is fine); undefined for anything else. */
function originOf(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const { origin } = new URL(text);
  return origin !== 'null' && (text === origin || text === `${origin}/`) ? origin : undefined;
}

/** Options that are only read by the HTTP batch endpoint. */
const HTTP_BATCH_ONLY = ['method', 'body', 'select', 'maxUrlLength'] as const;

/** What the schema cannot say: which of `url` / `load` is given, and what goes with it. */
function combinationIssues(o: ResourceOptions<unknown, unknown>): OptionIssue[] {
  const issues: OptionIssue[] = [];
  const issue = (option: string, value: unknown, message: string) =>
    issues.push({ option: `resource.${option}`, value, message });
  const { item, batch } = o;
  if ((item.url === undefined) === (item.load === undefined)) {
    issue('item', item, 'must have exactly one of url (HTTP) or load (a loader function)');
  }
  if (batch !== undefined) {
    if ((batch.url === undefined) === (batch.load === undefined)) {
      issue('batch', batch, 'must have exactly one of url (HTTP) or load (a loader function)');
    } else if (batch.load !== undefined) {
      for (const name of HTTP_BATCH_ONLY) {
        const value = (batch as unknown as Record<string, unknown>)[name];
        if (value !== undefined) issue(`batch.${name}`, value, 'is only used with batch.url');
      }
    }
  }
  const usesLoader = item.load !== undefined || batch?.load !== undefined;
  if (usesLoader && o.origin === undefined) {
    issue('origin', undefined, 'is required with item.load or batch.load (the origin it talks to)');
  }
  if (!usesLoader && o.origin !== undefined) {
    issue('origin', o.origin, 'is only used with item.load or batch.load');
  }
  return issues;
}

/** Every setting of a resource, defaults applied. */
export interface ResourceSettings {
  window: number;
  concurrency: number;
  reprobeAfter: number;
  maxItems: number;
  gcTime: number;
  maxSize: number;
  maxUrlLength: number;
}

/**
 * Validates `input` (every bad option named `resource.*`, all at once) and applies the
 * defaults of `DEFAULTS.resource`.
 */
export function resolveResourceOptions<K, T>(
  input: ResourceOptions<K, T>,
): { options: ResourceOptions<K, T>; settings: ResourceSettings } {
  const options = validateZodOptions(resourceOptionsSchema, input, 'resource') as ResourceOptions<
    K,
    T
  >;
  const issues = combinationIssues(options as ResourceOptions<unknown, unknown>);
  if (issues.length > 0) throw new InvalidOptionsError(issues);
  const d = DEFAULTS.resource;
  const { batch } = options;
  const origin = options.origin === undefined ? undefined : originOf(options.origin);
  return {
    options: origin === undefined ? options : { ...options, origin },
    settings: {
      window: options.window ?? d.window,
      concurrency: options.concurrency ?? d.concurrency,
      reprobeAfter: options.reprobeAfter ?? d.reprobeAfter,
      maxItems: options.maxItems ?? d.maxItems,
      gcTime: options.gcTime ?? d.gcTime,
      maxSize: batch?.maxSize ?? d.maxSize,
      maxUrlLength: (batch?.load === undefined ? batch?.maxUrlLength : undefined) ?? d.maxUrlLength,
    },
  };
}
