import type { Clock } from '../environment/clock.js';
import { isRefusal, MissingItemError } from '../errors.js';
import type { PollerStats } from '../stats.js';
import type { BatchLimits } from './batch-limits.js';
import { chunkKeys } from './chunk-keys.js';
import type { EndpointHealth } from './endpoint-health.js';
import type { ItemCache, ItemRecord } from './item-cache.js';
import { type BatchLoader, type ItemLoader, NOT_MODIFIED } from './loaders.js';
import type { ResourceSettings } from './options.js';
import { runLimited } from './run-limited.js';

export interface KeyReaderDeps<K, T> {
  clock: Clock;
  stats: PollerStats;
  cache: ItemCache<K, T>;
  health: EndpointHealth;
  limits: BatchLimits;
  settings: ResourceSettings;
  keyId: (key: K) => string;
  item: ItemLoader<K>;
  itemSelect: ((json: unknown, key: K) => unknown) | undefined;
  /** The batch loader with its entry matching; undefined: per item only. */
  batch:
    | {
        loader: BatchLoader<K>;
        key: (entry: unknown) => K;
        data: ((entry: unknown) => unknown) | undefined;
      }
    | undefined;
}

type Records<K, T> = ItemRecord<K, T>[];

/** What a set of batch requests left to do. */
interface BatchOutcome<K, T> {
  /** Keys whose batch endpoint answered 404/405/501. */
  missing: Records<K, T>;
  /** Keys not sent: the gate closed or the read was cut short. */
  skipped: Records<K, T>;
  /** The error that failed a whole batch, if any. */
  failure: unknown;
  /** A batch was answered 413/414. */
  tooLarge: boolean;
}

/** How a read may spend requests: a sweep's paced flow, or free (the app's own fetch()). */
export interface ReadFlow {
  /** Whether the next request may go now: its stalest item's freshness, and how many wait. */
  canContinue(freshAt: number, waiting: number): boolean;
  /** Requests in flight at once, given the configured number. */
  concurrency(configured: number): number;
}

const FREE_FLOW: ReadFlow = { canContinue: () => true, concurrency: (configured) => configured };

/** Since when an item's data is stale: its last good read, or its creation if it has none. */
const staleSince = <K, T>(record: ItemRecord<K, T>) => Math.max(record.freshAt, record.createdAt);

/** The oldest freshness among `records`. */
const stalest = <K, T>(records: Records<K, T>) =>
  records.reduce((oldest, r) => Math.min(oldest, staleSince(r)), Number.POSITIVE_INFINITY);
const aborted = (signal: AbortSignal | undefined) => signal?.aborted === true;

/**
 * Reads keys: batched while the batch endpoint exists (probed first, chunked, 413/414 split in
 * halves and remembered), per item otherwise. Every key read ends settled in the cache, or skipped.
 */
export class KeyReader<K, T> {
  constructor(private readonly deps: KeyReaderDeps<K, T>) {}

  /**
   * Reads `records` (already claimed in the cache's pending reads), asking `flow` before
   * each request. Returns the error that failed a whole batch, or every item, so the poll backs off.
   */
  async read(
    records: Records<K, T>,
    signal?: AbortSignal,
    flow: ReadFlow = FREE_FLOW,
    startedAt = this.deps.clock.now(),
  ): Promise<unknown> {
    if (records.length === 0) return undefined;
    // All keys of one read share its start: they stay in step.
    for (const record of records) record.requestedAt = startedAt;
    let perItem = records;
    let failure: unknown;
    const { batch, health, cache } = this.deps;
    if (batch !== undefined) {
      let origin: string;
      try {
        origin = batch.loader.origin(records.map((r) => r.key));
      } catch (error) {
        cache.fail(records, error); // batch.url threw: no key is left pending
        return error;
      }
      const route = health.route(origin);
      if (route !== 'per-item') {
        const outcome = await this.#readBatched(records, origin, route === 'probe', signal, flow);
        perItem = outcome.missing;
        failure = outcome.failure;
      }
    }
    if (perItem.length > 0) failure ??= await this.#readPerItem(perItem, signal, flow);
    return failure;
  }

  async #readBatched(
    records: Records<K, T>,
    origin: string,
    probeFirst: boolean,
    signal: AbortSignal | undefined,
    flow: ReadFlow,
  ): Promise<{ missing: Records<K, T>; failure: unknown }> {
    const { cache, health, limits, settings } = this.deps;
    const { urlFor } = (this.deps.batch as NonNullable<KeyReaderDeps<K, T>['batch']>).loader;
    let chunks: Records<K, T>[];
    try {
      const urlOf = urlFor && ((rs: readonly ItemRecord<K, T>[]) => urlFor(rs.map((r) => r.key)));
      chunks = chunkKeys(records, limits.sizeFor(origin), urlOf, settings.maxUrlLength);
    } catch (error) {
      cache.fail(records, error);
      return { missing: [], failure: error };
    }
    let tooLarge = false;
    if (probeFirst) {
      // Until the endpoint has answered, one chunk probes it alone: a missing one costs one request.
      const [probe, ...rest] = chunks as [Records<K, T>, ...Records<K, T>[]];
      const outcome = await this.#sendChunks([probe], origin, signal, flow);
      cache.skip(outcome.skipped);
      if (outcome.missing.length > 0) {
        health.missing(origin, records.length);
        return { missing: [...outcome.missing, ...rest.flat()], failure: outcome.failure };
      }
      if (outcome.failure !== undefined) {
        // The endpoint exists but fails: the other keys of this read fail alike, no fallback.
        cache.fail(rest.flat(), outcome.failure);
        return { missing: [], failure: outcome.failure };
      }
      if (outcome.skipped.length > 0) {
        cache.skip(rest.flat());
        return { missing: [], failure: undefined };
      }
      health.answered(origin);
      if (outcome.tooLarge) tooLarge = true;
      chunks = rest;
    }
    const outcome = await this.#sendChunks(chunks, origin, signal, flow);
    cache.skip(outcome.skipped);
    if (!tooLarge && !outcome.tooLarge) limits.fitted(origin);
    // The endpoint went away since it last answered: its keys are read per item in this read.
    if (outcome.missing.length > 0) health.missing(origin, outcome.missing.length);
    return { missing: outcome.missing, failure: outcome.failure };
  }

  /**
   * Sends `chunks`, `concurrency` at once; a 413/414 puts the chunk's halves back in line, and
   * later reads of `origin` chunk by the size it taught.
   */
  async #sendChunks(
    chunks: Records<K, T>[],
    origin: string,
    signal: AbortSignal | undefined,
    flow: ReadFlow,
  ): Promise<BatchOutcome<K, T>> {
    const outcome: BatchOutcome<K, T> = {
      missing: [],
      skipped: [],
      failure: undefined,
      tooLarge: false,
    };
    const { concurrency } = this.deps.settings;
    const left = await runLimited(
      chunks,
      () => flow.concurrency(concurrency),
      async (chunk, requeue) => {
        const result = await this.#sendChunk(chunk, signal);
        if (result === 'missing') outcome.missing.push(...chunk);
        else if (result === 'too-large' || Array.isArray(result)) {
          outcome.tooLarge = true;
          this.deps.limits.tooLarge(origin, chunk.length);
          if (result !== 'too-large') requeue(...result);
        } else if (result !== 'done') outcome.failure ??= result.failed;
      },
      (chunk, waiting) => flow.canContinue(stalest(chunk), waiting),
    );
    outcome.skipped.push(...left.flat());
    return outcome;
  }

  /**
   * One batch request: 'done' (every key settled), 'missing', halves to send, 'too-large' (one
   * key, failed with it), or a failure.
   */
  async #sendChunk(
    chunk: Records<K, T>,
    signal: AbortSignal | undefined,
  ): Promise<'done' | 'missing' | 'too-large' | Records<K, T>[] | { failed: unknown }> {
    const { cache } = this.deps;
    const { loader } = this.deps.batch as NonNullable<KeyReaderDeps<K, T>['batch']>;
    let answer: Awaited<ReturnType<BatchLoader<K>['load']>>;
    try {
      answer = await loader.load(
        chunk.map((r) => r.key),
        signal,
      );
    } catch (error) {
      if (aborted(signal)) {
        cache.skip(chunk); // cut short by unsubscribe: nothing was learned
        return 'done';
      }
      cache.fail(chunk, error); // a refusal leaves the keys alone, and due
      return { failed: error };
    }
    if (answer.kind === 'missing') return 'missing';
    if (answer.kind === 'entries') {
      await this.#match(chunk, answer.entries);
      return 'done';
    }
    if (chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2);
      return [chunk.slice(0, half), chunk.slice(half)];
    }
    cache.fail(chunk, answer.error); // 413/414 for one key: that key fails alone
    return 'too-large';
  }

  /** Gives each key of `chunk` its entry's data, or its own error. Extra entries are ignored. */
  async #match(chunk: Records<K, T>, entries: readonly unknown[]): Promise<void> {
    const { cache, stats, keyId } = this.deps;
    const { key, data } = this.deps.batch as NonNullable<KeyReaderDeps<K, T>['batch']>;
    const byId = new Map<string, unknown>();
    // `batch.key` or `keyId` throwing is a bug worth seeing: the keys left unmatched get it.
    let keyError: { error: unknown } | undefined;
    for (const entry of entries) {
      let named: K;
      try {
        named = key(entry);
      } catch (error) {
        keyError ??= { error };
        continue;
      }
      try {
        byId.set(keyId(named), entry);
      } catch (error) {
        // Except an entry that names no key (the default keyId has no id for it): it matches none.
        if (named !== undefined) keyError ??= { error };
      }
    }
    const delivered = chunk.map(async (record) => {
      if (!byId.has(record.id)) {
        if (keyError !== undefined) return cache.fail([record], keyError.error);
        stats.missingItems++;
        return cache.fail([record], new MissingItemError(record.key));
      }
      const entry = byId.get(record.id);
      let value: unknown;
      try {
        value = data ? data(entry) : entry;
      } catch (error) {
        return cache.fail([record], error);
      }
      await cache.deliver(record, value);
    });
    await Promise.all(delivered);
  }

  /** Per-item reads, `concurrency` at once. Every item failed: the host is failing, back off. */
  async #readPerItem(
    records: Records<K, T>,
    signal: AbortSignal | undefined,
    flow: ReadFlow,
  ): Promise<unknown> {
    let succeeded = false;
    let firstError: unknown;
    const { concurrency } = this.deps.settings;
    const left = await runLimited(
      records,
      () => flow.concurrency(concurrency),
      async (record) => {
        const error = await this.#readItem(record, signal);
        if (error === undefined) succeeded = true;
        else firstError ??= error;
      },
      (record, waiting) => flow.canContinue(staleSince(record), waiting),
    );
    this.deps.cache.skip(left);
    return succeeded ? undefined : firstError;
  }

  /** Reads one item; returns the error it failed with, or undefined (data, 304, refused, cut short). */
  async #readItem(record: ItemRecord<K, T>, signal: AbortSignal | undefined): Promise<unknown> {
    const { cache, item, itemSelect } = this.deps;
    let answer: unknown;
    try {
      answer = await item.load(record.key, record.snapshot, signal);
    } catch (error) {
      if (aborted(signal)) {
        cache.skip([record]);
        return undefined;
      }
      cache.settle(record, { kind: 'error', error }); // a refusal leaves the item alone and due
      return isRefusal(error) ? undefined : error;
    }
    if (answer === NOT_MODIFIED) {
      cache.settle(record, { kind: 'not-modified' });
      return undefined;
    }
    let data: unknown;
    try {
      data = itemSelect ? itemSelect(answer, record.key) : answer;
    } catch (error) {
      item.forget(record.key);
      cache.settle(record, { kind: 'error', error });
      return error;
    }
    // A schema failure is that item's problem, not the host's; its ETag must not stand for it.
    if (!(await cache.deliver(record, data))) item.forget(record.key);
    return undefined;
  }
}
