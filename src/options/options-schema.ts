import type { Check } from './check.js';
import { pollerOptions, pollOptions } from './option-checks.js';

// The option checks described the way zod describes a schema (`_zod.def`: `type`, `shape`), for
// test/docs/readme-options.test.ts, which walks the createPoller and poll schemas (and the zod
// resource schema) to compare every option with the README's tables. Nothing in src imports this
// file, so no bundle carries it; the checks themselves are in option-checks.ts.

interface Described {
  _zod: { def: { type: string; shape?: Record<string, Described> } };
}

const describe = ({ shape }: Check): Described => ({
  _zod: {
    def: shape
      ? {
          type: 'object',
          shape: Object.fromEntries(Object.entries(shape).map(([k, c]) => [k, describe(c)])),
        }
      : { type: 'value' },
  },
});

export const pollerOptionsSchema = describe(pollerOptions);
export const pollOptionsSchema = describe(pollOptions);
