/** Which route a request took: the timeline draws each kind on its own lane. */
export type RequestKind = 'batch' | 'item' | 'wrapped';

/** One request that reached the network, as the page saw it. */
export interface WireEntry {
  seq: number;
  /** When it was handed to the network, epoch ms. */
  at: number;
  /** When its answer arrived or it failed; undefined while in flight. */
  end?: number;
  method: string;
  url: string;
  kind: RequestKind;
  /** HTTP status; 0 while in flight, -1 for a network error or an abort. */
  status: number;
}

/**
 * Header naming a request by its entry's `seq`, sent on same-origin requests only (on a
 * cross-origin one it would cost a CORS preflight): the backend logs it, so each request it
 * counted can be matched with its mark exactly.
 */
export const SEQ_HEADER = 'x-playground-seq';

/** Entries kept: the timeline shows the last minute, the counters the whole run. */
const KEEP_MS = 5 * 60_000;

export interface WireLog {
  readonly name: string;
  /** A `fetch` that records every request it sends. */
  readonly fetch: typeof fetch;
  /** Recent entries, oldest first. */
  entries(): readonly WireEntry[];
  /** Totals since the page opened. */
  totals(): { sent: number; ok: number; rateLimited: number; failed: number };
}

/**
 * The page's record of what went on the wire. Each dashboard sends through its own, so its
 * timeline shows exactly what the network carried, whichever code sent it.
 */
export function createWireLog(name: string, network: typeof fetch = fetch): WireLog {
  const list: WireEntry[] = [];
  const totals = { sent: 0, ok: 0, rateLimited: 0, failed: 0 };
  let seq = 0;
  const record: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = request?.url ?? String(input);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const entry: WireEntry = {
      seq: ++seq,
      at: Date.now(),
      method,
      url,
      kind: kindOf(url),
      status: 0,
    };
    list.push(entry);
    totals.sent++;
    trim(list, entry.at);
    try {
      const response = await network(input, tagged(url, request, init, entry.seq));
      entry.status = response.status;
      if (response.ok || response.status === 304) totals.ok++;
      else if (response.status === 429) totals.rateLimited++;
      else totals.failed++;
      return response;
    } catch (error) {
      entry.status = -1;
      totals.failed++;
      throw error;
    } finally {
      entry.end = Date.now();
    }
  };
  return { name, fetch: record, entries: () => list, totals: () => ({ ...totals }) };
}

function kindOf(url: string): RequestKind {
  if (url.includes('/api/get_logs_batch')) return 'batch';
  if (url.includes('/api/summary')) return 'wrapped';
  return 'item';
}

function trim(list: WireEntry[], now: number) {
  let drop = 0;
  while (drop < list.length && list[drop]!.at < now - KEEP_MS) drop++;
  if (drop > 0) list.splice(0, drop);
}

/** `init` with the sequence header when `url` is on the page's origin. */
function tagged(
  url: string,
  request: Request | undefined,
  init: RequestInit | undefined,
  seq: number,
) {
  const here = globalThis.location?.origin;
  if (here === undefined || new URL(url, here).origin !== here) return init;
  // init's headers replace a Request's own: start from whichever the request would send.
  const headers = new Headers(init?.headers ?? request?.headers);
  headers.set(SEQ_HEADER, String(seq));
  return { ...init, headers };
}
