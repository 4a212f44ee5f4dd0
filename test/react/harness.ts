// What the pollwise/react tests share: pollers and resources whose subscriptions are counted,
// rendering that is unmounted after the test (before its poller is disposed), the components
// most tests render, and an error boundary.
import { act, cleanup, type RenderResult, render } from '@testing-library/react';
import { Component, createElement as h, type ReactElement, type ReactNode } from 'react';
import type { Poller, Snapshot, Subscription } from '../../src/index.js';
import { PollerProvider, usePoll, useResource } from '../../src/react/index.js';
import type { Resource } from '../../src/resource/index.js';
import { onCleanup } from '../support/cleanup.js';
import { advance } from '../support/clock.js';

/** The origin of the fake network's API. */
export const A = 'http://a.test';

/** Counts of the subscriptions made through a wrapper: calls, their targets, those still open. */
export interface Counts {
  calls: number;
  open: number;
  targets: unknown[];
}

/** `unsubscribe` counted in `counts.open` (once, however often it is called). */
function countedUnsubscribe<S extends { unsubscribe(): void }>(subscription: S, counts: Counts): S {
  counts.calls++;
  counts.open++;
  let open = true;
  return {
    ...subscription,
    unsubscribe() {
      if (open) counts.open--;
      open = false;
      subscription.unsubscribe();
    },
  };
}

/**
 * `poller` with its `poll()` counted: every call (its URL, or 'task') and the subscriptions
 * still open. The hooks see only the wrapper, so every subscription they make is counted.
 */
export function countedPolls(poller: Poller) {
  const counts: Counts = { calls: 0, open: 0, targets: [] };
  const poll = (target: unknown, options?: unknown): Subscription<unknown> => {
    const call = poller.poll as (t: unknown, o: unknown) => Subscription<unknown>;
    counts.targets.push(typeof target === 'function' ? 'task' : String(target));
    return countedUnsubscribe(call(target, options), counts);
  };
  return { poller: Object.create(poller, { poll: { value: poll } }) as Poller, counts };
}

/** `resource` with its `subscribe()` counted: calls, their keys, the subscriptions still open. */
export function countedSubscribe<K, T>(resource: Resource<K, T>) {
  const counts: Counts = { calls: 0, open: 0, targets: [] };
  const subscribe: Resource<K, T>['subscribe'] = (key, listener, options) => {
    counts.targets.push(key);
    return countedUnsubscribe(resource.subscribe(key, listener, options), counts);
  };
  const counted = Object.create(resource, { subscribe: { value: subscribe } });
  return { resource: counted as Resource<K, T>, counts };
}

/**
 * `render()`, unmounted after the test, before the pollers made earlier are disposed (the
 * testing library's `cleanup` unmounts every root and removes its container).
 */
export function mount(element: ReactElement): RenderResult {
  onCleanup(cleanup);
  return render(element);
}

/** `children` under a provider of `poller`. */
export const provided = (poller: Poller, ...children: ReactNode[]) =>
  h(PollerProvider, { poller }, ...children);

/** Moves the fake clock inside `act`, so React renders what the polls delivered. */
export const flush = (ms = 0) => act(() => advance(ms));

/** Lets the microtasks queued so far run (a source closes a microtask after its last listener). */
export const microtasks = async () => {
  for (let i = 0; i < 3; i++) await Promise.resolve();
};

/** One render of a probe: what it was asked for, and the snapshot it got. */
export interface Render {
  target: unknown;
  snapshot: Snapshot<unknown>;
}

/** What a probe shows: the data as JSON once there is some, else the status. */
const shown = (snapshot: Snapshot<unknown>) =>
  snapshot.data === undefined ? snapshot.status : JSON.stringify(snapshot.data);

/** `usePoll(url, { interval: 1000 })` (on `poller` when given), each render logged. */
export function Feed(props: { url: string | null; log?: Render[]; poller?: Poller }) {
  const { url, log, poller } = props;
  const snapshot = usePoll(url, { interval: 1000, ...(poller ? { poller } : {}) });
  log?.push({ target: url, snapshot });
  return h('p', null, shown(snapshot));
}

/** `useResource(resource, { id })` with the key written inline, each render logged. */
export function Item(props: {
  resource: Resource<{ id: number }, unknown>;
  id: number | null;
  log?: Render[];
}) {
  const { resource, id, log } = props;
  const snapshot = useResource(resource, id === null ? null : { id });
  log?.push({ target: id, snapshot });
  return h('p', null, shown(snapshot));
}

/** The statuses of `log`'s renders. */
export const statuses = (log: readonly Render[]) => log.map((r) => r.snapshot.status);

/** The data of `log`'s renders that had some. */
export const dataRenders = (log: readonly Render[]) =>
  log.filter((r) => r.snapshot.status === 'success').map((r) => r.snapshot.data);

/** Shows "caught" instead of its children once they threw (in render or in an effect). */
export class Boundary extends Component<
  { children?: ReactNode; onCaught: (error: unknown) => void },
  { failed: boolean }
> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: unknown) {
    this.props.onCaught(error);
  }
  override render() {
    return this.state.failed ? h('p', null, 'caught') : this.props.children;
  }
}
