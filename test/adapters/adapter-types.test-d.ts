// Type tests of the framework adapters: what usePoll / pollStore return, as poll() does (a
// type argument, a schema, select), and that a Vue task poll names its url or origin. Run by
// `vitest run` in typecheck mode.
import { describe, expectTypeOf, it } from 'vitest';
import type { ComputedRef } from 'vue';
import * as z from 'zod';
import { createPoller, type Snapshot } from '../../src/index.js';
import { usePoll as useReactPoll } from '../../src/react/index.js';
import { pollStore, type SnapshotStore } from '../../src/svelte/index.js';
import { usePoll as useVuePoll } from '../../src/vue/index.js';

const poller = createPoller();
const Status = z.object({ ok: z.boolean(), version: z.string() });
type Status = z.infer<typeof Status>;

describe('pollwise/react', () => {
  it('types the snapshot from a type argument, a schema, select and a task', () => {
    expectTypeOf(useReactPoll<Status>('/s')).toEqualTypeOf<Snapshot<Status>>();
    expectTypeOf(useReactPoll('/s', { schema: Status })).toEqualTypeOf<Snapshot<Status>>();
    expectTypeOf(useReactPoll('/s', { schema: Status, select: (s) => s.version })).toEqualTypeOf<
      Snapshot<string>
    >();
    expectTypeOf(useReactPoll('/s')).toEqualTypeOf<Snapshot<unknown>>();
    expectTypeOf(useReactPoll(async () => 42, { origin: 'https://a.test' })).toEqualTypeOf<
      Snapshot<number>
    >();
    expectTypeOf(useReactPoll<Status>(null)).toEqualTypeOf<Snapshot<Status>>();
  });
});

describe('pollwise/vue', () => {
  it('types the refs the same way', () => {
    expectTypeOf(useVuePoll<Status>('/s').data).toEqualTypeOf<ComputedRef<Status | undefined>>();
    expectTypeOf(useVuePoll('/s', { schema: Status }).data).toEqualTypeOf<
      ComputedRef<Status | undefined>
    >();
    expectTypeOf(useVuePoll(async () => 42, { url: 'https://a.test/n' }).data).toEqualTypeOf<
      ComputedRef<number | undefined>
    >();
  });

  it('refuses a task without url or origin (it would be taken for a getter)', () => {
    // @ts-expect-error: a task poll names its url or origin
    useVuePoll(async () => 42, { interval: 1000 });
  });
});

describe('pollwise/svelte', () => {
  it('types the store', () => {
    expectTypeOf(pollStore<Status>(poller, '/s')).toEqualTypeOf<SnapshotStore<Status>>();
    expectTypeOf(pollStore(poller, '/s', { schema: Status })).toEqualTypeOf<
      SnapshotStore<Status>
    >();
    expectTypeOf(pollStore(poller, '/s', { schema: Status, select: (s) => s.ok })).toEqualTypeOf<
      SnapshotStore<boolean>
    >();
  });
});
