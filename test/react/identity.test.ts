// @vitest-environment happy-dom
// What usePoll counts as the same poll (src/adapters/live-options.ts pollIdentity) and what a
// render React discards may change (src/react/use-poll.ts, src/react/use-source.ts): nothing.
// Each test failed before the fix it names.
import { act } from '@testing-library/react';
import {
  Activity,
  type ActivityProps,
  createElement as h,
  memo,
  Suspense,
  startTransition,
  useState,
} from 'react';
import { describe, expect, it } from 'vitest';
import { usePoll } from '../../src/react/index.js';
import { useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { A, countedPolls, flush, microtasks, mount, provided } from './harness.js';

// biome-ignore lint/correctness/useHookAtTopLevel: vitest's fake timers per test, no React hook
useFakeClock();

/** `{ a: n }` with n = 1, 2, 3… one per request, so each answer is new data. */
const counting = () => {
  let n = 0;
  return () => Response.json({ a: ++n });
};

/** What a probe shows: its status and its data as JSON. */
const shown = (snapshot: { status: string; data: unknown }) =>
  `${snapshot.status} ${JSON.stringify(snapshot.data)}`;

/** `select: field ? pick : undefined`, the conditional select of the review. */
function Pick({ field }: { field?: 'a' }) {
  const snapshot = usePoll<{ a: number }, unknown>(`${A}/feed`, {
    interval: 1000,
    select: field ? (d) => d[field] : undefined,
  });
  return h('p', null, shown(snapshot));
}

/** Inline `new Headers(...)` each render, `a: value`; `seen.set` re-renders it with `n`. */
function HeadersFeed({ seen }: { seen: { set: (n: number) => void } }) {
  const [n, set] = useState(0);
  seen.set = set;
  const snapshot = usePoll(`${A}/feed`, {
    interval: 1000,
    headers: new Headers({ A: n < 5 ? '1' : '2' }),
  });
  return h('p', null, `${n} ${snapshot.status}`);
}

/** A plain header whose name starts with "on", set from the prop `user`. */
function OnBehalf({ user }: { user: string }) {
  usePoll(`${A}/feed`, { interval: 1000, headers: { 'on-behalf-of': user } });
  return null;
}

describe('what usePoll counts as the same poll', () => {
  // Before: `select` counted as "given" whether it was a function or undefined, so removing it
  // kept the poll whose live select now called undefined: the component showed data undefined.
  it('select: field ? fn : undefined — removing the select shows the data, adding it back picks', async () => {
    const { poller: real, net } = fakePoller({}, counting());
    const { poller, counts } = countedPolls(real);
    const view = mount(provided(poller, h(Pick, { field: 'a' })));
    await flush(0);
    expect(view.container.textContent).toBe('success 1');

    view.rerender(provided(poller, h(Pick, {})));
    await flush(0);
    await flush(1000);
    expect(view.container.textContent).toBe('success {"a":3}');

    view.rerender(provided(poller, h(Pick, { field: 'a' })));
    await flush(0);
    await flush(1000);
    expect(view.container.textContent).toBe('success 5');
    expect(counts).toMatchObject({ calls: 3, open: 1 });
    expect(net.times()).toEqual([0, 0, 1000, 1000, 2000]);
  });

  // Before: a Headers object counted by identity, so `new Headers(...)` inline was a new poll
  // each render (a poll() call and a request per render).
  it('an inline new Headers(...) each render is one poll while its pairs stay equal', async () => {
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const seen = { set: (_n: number) => {} };
    const view = mount(provided(poller, h(HeadersFeed, { seen })));
    await flush(0);
    for (let n = 1; n <= 4; n++) {
      act(() => seen.set(n));
      await flush(5);
    }
    await microtasks();
    expect(counts).toMatchObject({ calls: 1, open: 1 });
    expect(net.times()).toEqual([0]);

    // A changed value is a new poll, once: renders 5 to 9 send the same pairs again.
    for (let n = 5; n <= 9; n++) {
      act(() => seen.set(n));
      await flush(5);
    }
    await microtasks();
    await flush(1000);
    expect(counts).toMatchObject({ calls: 2, open: 1 });
    expect(net.times()).toEqual([0, 20, 1020]);
    expect(net.calls.map((c) => c.headers.get('a'))).toEqual(['1', '2', '2']);
    expect(view.container.textContent).toBe('9 success');
  });

  // Before: names starting with "on" were left out at any depth (meant for onData/onError), so a
  // header `on-behalf-of` was not part of the identity and the old user's header kept being sent.
  it('a header named on-behalf-of is part of the identity: a new user is a new poll', async () => {
    const { poller: real, net } = fakePoller({}, () => Response.json({ v: 1 }));
    const { poller, counts } = countedPolls(real);
    const view = mount(provided(poller, h(OnBehalf, { user: 'alice' })));
    await flush(0);
    view.rerender(provided(poller, h(OnBehalf, { user: 'bob' })));
    await flush(0);
    await flush(1000);
    expect(counts).toMatchObject({ calls: 2, open: 1 });
    expect(net.times()).toEqual([0, 0, 1000]);
    expect(net.calls.map((c) => c.headers.get('on-behalf-of'))).toEqual(['alice', 'bob', 'bob']);
  });
});

/** A promise that never settles: a component throwing it suspends for good. */
const never = new Promise<never>(() => {});

/** Suspends while `suspend` is true: a transition that renders it is never committed. */
function Suspender({ suspend }: { suspend: boolean }) {
  if (suspend) throw never;
  return null;
}

/** Starts a transition of the root rendered last; its render suspends and is discarded. */
let discard: () => void = () => {};

/** Inline onData logging this render's tag, and a select given only while `tag` is "committed". */
function Tagged({ tag, log }: { tag: string; log: string[] }) {
  const snapshot = usePoll<{ a: number }, unknown>(`${A}/feed`, {
    interval: 1000,
    onData: () => log.push(tag),
    ...(tag === 'committed' ? { select: (d: { a: number }) => d.a } : {}),
  });
  return h('p', null, `${tag} ${shown(snapshot)}`);
}

function TaggedRoot({ log }: { log: string[] }) {
  const [tag, setTag] = useState('committed');
  discard = () => startTransition(() => setTag('discarded'));
  return h(
    Suspense,
    { fallback: h('p', null, 'fallback') },
    h(Tagged, { tag, log }),
    h(Suspender, { suspend: tag === 'discarded' }),
  );
}

/** `usePoll(url)`, memoised: hiding and showing it re-subscribes without rendering it. */
const UrlFeed = memo(function UrlFeed({ url }: { url: string }) {
  const snapshot = usePoll(url, { interval: 1000 });
  return h('p', null, shown(snapshot));
});

/** Hides or shows the feed (its subscription ends and starts again). */
let setHidden: (hidden: boolean) => void = () => {};

function UrlRoot() {
  const [url, setUrl] = useState(`${A}/a`);
  const [hidden, hide] = useState(false);
  discard = () => startTransition(() => setUrl(`${A}/b`));
  setHidden = hide;
  return h(
    Suspense,
    { fallback: h('p', null, 'fallback') },
    // Its types want children as a prop; given as an argument, as everywhere here.
    h(Activity, { mode: hidden ? 'hidden' : 'visible' } as ActivityProps, h(UrlFeed, { url })),
    h(Suspender, { suspend: url.endsWith('/b') }),
  );
}

describe('a render React discards changes nothing', () => {
  // Before: the hook wrote its options during render, so a render that never committed (a
  // suspended transition) had its onData called and its missing select applied.
  it('the callbacks and select of a suspended transition are never called', async () => {
    const { poller: real, net } = fakePoller({}, counting());
    const { poller, counts } = countedPolls(real);
    const log: string[] = [];
    const view = mount(provided(poller, h(TaggedRoot, { log })));
    await flush(0);
    await act(async () => discard());
    await flush(1000);
    await flush(1000);
    expect(log).toEqual(['committed', 'committed', 'committed']);
    expect(view.container.textContent).toBe('committed success 3');
    expect(counts).toMatchObject({ calls: 1, open: 1 });
    expect(net.times()).toEqual([0, 1000, 2000]);
  });

  // Before: the hook kept the `open` of the last render, committed or not: re-subscribing after
  // a discarded render with another URL opened that URL under the committed one's identity.
  it('re-subscribing after a suspended transition to another URL opens the committed URL', async () => {
    const { poller: real, net } = fakePoller({}, (call) => Response.json({ path: call.path }));
    const { poller, counts } = countedPolls(real);
    const view = mount(provided(poller, h(UrlRoot)));
    await flush(0);
    await act(async () => discard());
    act(() => setHidden(true));
    await microtasks();
    await flush(0);
    act(() => setHidden(false));
    await flush(0);
    expect(counts).toMatchObject({ calls: 2, open: 1, targets: [`${A}/a`, `${A}/a`] });
    expect(net.calls.map((c) => c.path)).toEqual(['/a', '/a']);
    expect(view.container.textContent).toBe('success {"path":"/a"}');
  });
});
