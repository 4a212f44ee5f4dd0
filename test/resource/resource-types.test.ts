import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { createPoller, type ItemSnapshot } from '../../src/index.js';

// Compile-time checks (npm run typecheck fails if inference regresses), run as a test too.
describe('resource types', () => {
  it('types data from the Standard Schema and keys from item.url', () => {
    const poller = createPoller({ visibility: false, online: false });
    const Run = z.object({ run_id: z.string(), logs: z.array(z.number()) });
    const logs = poller.resource({
      item: { url: (key: { run_id: string }) => `https://a.test/logs/${key.run_id}`, schema: Run },
      keyId: (key) => key.run_id,
    });
    expectTypeOf(logs.get({ run_id: 'x' })).toEqualTypeOf<
      ItemSnapshot<{ run_id: string; logs: number[] }>
    >();
    expectTypeOf(logs.fetch).returns.resolves.toEqualTypeOf<{ run_id: string; logs: number[] }>();
    // @ts-expect-error: keys are { run_id }, not strings
    logs.get('x');
    poller.dispose();
  });
});
