// Type tests of pollwise/resource: run by `vitest run` in typecheck mode (vitest.config.ts).
import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { createPoller } from '../../src/index.js';
import { createResource, type Snapshot } from '../../src/resource/index.js';

describe('resource types', () => {
  it('types data from the Standard Schema and keys from item.url', () => {
    const poller = createPoller({ visibility: false, online: false });
    const Run = z.object({ run_id: z.string(), logs: z.array(z.number()) });
    const logs = createResource(poller, {
      item: { url: (key: { run_id: string }) => `https://a.test/logs/${key.run_id}`, schema: Run },
      keyId: (key) => key.run_id,
    });
    expectTypeOf(logs.get({ run_id: 'x' })).toEqualTypeOf<
      Snapshot<{ run_id: string; logs: number[] }>
    >();
    expectTypeOf(logs.fetch).returns.resolves.toEqualTypeOf<{ run_id: string; logs: number[] }>();
    // @ts-expect-error: keys are { run_id }, not strings
    logs.get('x');
    poller.dispose();
  });

  it('types keys from item.load and batch.load, data from the schema', () => {
    const poller = createPoller({ visibility: false, online: false });
    const User = z.object({ id: z.number(), name: z.string() });
    const users = createResource(poller, {
      origin: 'https://api.example.com',
      item: {
        load: async (id: number, { signal }) => ({ id, name: String(signal.aborted) }),
        schema: User,
      },
      batch: {
        load: async (ids, { signal }) => ids.map((id) => ({ id, name: String(signal.aborted) })),
        key: (entry) => (entry as { id: number }).id,
      },
    });
    expectTypeOf(users.get(1)).toEqualTypeOf<Snapshot<{ id: number; name: string }>>();
    // @ts-expect-error: keys are numbers
    users.get('1');
    poller.dispose();
  });
});
