// A rationed server for the fake network: a fixed-window limiter (windows aligned to T0) that
// answers 429 past its limit, with or without Retry-After, and optionally announces its quota.
import { T0 } from '../support/clock.js';
import { type FakeCall, type Respond, status } from '../support/fake-network.js';

export type Announce = 'none' | 'draft-11' | 'x-epoch' | 'x-delta';

export interface FixedWindowOptions {
  /** Requests each window accepts. */
  limit: number;
  windowMs: number;
  /** Send Retry-After (whole seconds until the window ends) with a 429. Default true. */
  retryAfter?: boolean;
  /** Which rate-limit headers every answer carries. Default 'none'. */
  announce?: Announce;
  /** Answer after this many ms (a fake timer). Default 0: at once. */
  latencyMs?: number;
  /** Answer 200 to a request with this body (default: its path and call number). */
  body?: (call: FakeCall) => unknown;
}

/** What the limiter saw, per window (index from T0). */
export interface WindowCounts {
  accepted: number;
  refused: number;
}

/** The limiter and what it counted: `respond` goes to fakeNetwork / fakePoller. */
export function fixedWindow(options: FixedWindowOptions) {
  const { windowMs, retryAfter = true, announce = 'none', latencyMs = 0 } = options;
  let { limit } = options;
  const windows = new Map<number, WindowCounts>();
  const counts = (index: number) => {
    let counted = windows.get(index);
    if (counted === undefined) {
      counted = { accepted: 0, refused: 0 };
      windows.set(index, counted);
    }
    return counted;
  };
  const headersAt = (at: number, index: number, left: number): Record<string, string> => {
    const endsAt = (index + 1) * windowMs;
    const resetS = Math.ceil((endsAt - at) / 1000);
    const windowS = windowMs / 1000;
    if (announce === 'draft-11') {
      return {
        ratelimit: `"default";r=${left};t=${resetS}`,
        'ratelimit-policy': `"default";q=${limit};w=${windowS}`,
      };
    }
    if (announce === 'x-epoch' || announce === 'x-delta') {
      // T0 is a whole second: the epoch reset is exact.
      const reset =
        announce === 'x-epoch' ? String(Math.ceil((T0 + endsAt) / 1000)) : String(resetS);
      return {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(left),
        'x-ratelimit-reset': reset,
      };
    }
    return {};
  };
  const respond: Respond = (call) => {
    const index = Math.floor(call.at / windowMs);
    const counted = counts(index);
    let response: Response;
    if (counted.accepted < limit) {
      counted.accepted++;
      const headers = headersAt(call.at, index, limit - counted.accepted);
      const body = options.body?.(call) ?? { path: call.path, n: call.n };
      response = Response.json(body, { headers });
    } else {
      counted.refused++;
      const headers = headersAt(call.at, index, 0);
      if (retryAfter) {
        headers['retry-after'] = String(Math.ceil(((index + 1) * windowMs - call.at) / 1000));
      }
      response = status(429, headers);
    }
    return latencyMs === 0 ? response : call.sleep(latencyMs).then(() => response);
  };
  return {
    respond,
    /** Changes the limit from the next request on (a raised or lowered quota). */
    setLimit(next: number) {
      limit = next;
    },
    /** Counts of window `index` (0 for the window starting at T0). */
    window: (index: number): WindowCounts => ({ ...counts(index) }),
    /** 429s answered in all. */
    get refused() {
      let total = 0;
      for (const w of windows.values()) total += w.refused;
      return total;
    },
  };
}
