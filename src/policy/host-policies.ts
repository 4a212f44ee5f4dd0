import { type HostPattern, matchesHostPattern, parseHostPattern } from './host-pattern.js';
import { isLoopbackHostname } from './loopback.js';

/** A per-host policy, e.g. `{ match: '*.hf.space', interval: 2500 }`. */
export interface HostPolicy {
  /** `localhost`, `api.example.com:8443`, `*.hf.space` or `https://api.example.com`. */
  match: string;
  /** Poll interval in ms for matching hosts. */
  interval?: number;
  /** Interval while the tab is hidden, or `false` to send nothing while hidden. */
  hiddenInterval?: number | false;
  /** Poll runs in flight at once per matching origin. */
  maxConcurrent?: number;
}

/** What a request URL's policy resolves to. */
export interface ResolvedPolicy {
  interval: number;
  hiddenInterval: number | false;
  maxConcurrent: number;
  /** The `match` of the policy that applied, or `null` for the built-in defaults. */
  match: string | null;
}

interface CompiledPolicy {
  pattern: HostPattern;
  policy: HostPolicy;
}

export interface PolicyFallbacks {
  interval: number;
  loopbackInterval: number;
  hiddenInterval: number | false;
  maxConcurrent: number;
}

/** Builds a resolver; the most specific matching policy wins, ties go to the first declared. */
export function createPolicyResolver(
  policies: readonly HostPolicy[],
  fallbacks: PolicyFallbacks,
): (url: URL) => ResolvedPolicy {
  const compiled: CompiledPolicy[] = policies
    .map((policy) => {
      const pattern = parseHostPattern(policy.match);
      // Options are validated before this point; this guards direct use.
      if (pattern === null)
        throw new TypeError(`pollwise: invalid host pattern ${JSON.stringify(policy.match)}`);
      return { pattern, policy };
    })
    .sort((a, b) => b.pattern.specificity - a.pattern.specificity);

  return (url) => {
    const hit = compiled.find((c) => matchesHostPattern(c.pattern, url));
    const builtIn = isLoopbackHostname(url.hostname)
      ? fallbacks.loopbackInterval
      : fallbacks.interval;
    return {
      interval: hit?.policy.interval ?? builtIn,
      hiddenInterval: hit?.policy.hiddenInterval ?? fallbacks.hiddenInterval,
      maxConcurrent: hit?.policy.maxConcurrent ?? fallbacks.maxConcurrent,
      match: hit?.policy.match ?? null,
    };
  };
}
