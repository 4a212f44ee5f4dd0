// The clients the CPU bench compares. Each side builds its client on a manual clock with
// nothing subscribed (create), then subscribes `urls.length` items (subscribe), and tears
// everything down (teardown). Every subscription gets its own listener, as components would.
//
//   poll       pollwise: one poller, one poll(url, { onData }) per URL
//   batch      pollwise/resource: one resource, one subscribe(key) per key; item.url per key over
//              the origins and a GET batch URL (64 keys per request, the default batch.maxSize)
//   item       pollwise/resource without a batch endpoint: one GET per key through item.url
//   tanstack   @tanstack/query-core: one QueryClient, one subscribed QueryObserver per URL
//              (refetchInterval, retry: false, queryFn = fetch + json), as its docs show
//   baseline   no library: one interval per URL calling fetch + json()
//   baseline64 no library: one interval per 64 keys of one origin calling fetch(batch) + json()
//              and handing each entry to its listener

export const BATCH_SIZE = 64;

/** Item i lives on origin i % origins (http://h0.test, http://h1.test, ...). */
export function itemUrls(n, origins) {
  return Array.from({ length: n }, (_, i) => `http://h${i % origins}.test/item/${i}`);
}
const keyUrl = (origins) => (key) => `http://h${Number(key) % origins}.test/item/${key}`;
const batchUrl = (origins) => (keys) =>
  `http://h${Number(keys[0]) % origins}.test/batch?ids=${keys.join(',')}`;

function pollwiseSide(createPoller, interval, subscribeAll) {
  return (clock) => {
    const poller = createPoller({ clock, visibility: false, online: false, jitter: 0, interval });
    const build = subscribeAll(poller);
    let subs = [];
    return {
      subscribe: () => {
        subs = build();
      },
      teardown: () => {
        for (const sub of subs) sub.unsubscribe();
        poller.dispose();
      },
    };
  };
}

/** Builds every side's factory from the loaded libraries and the bench's shape. */
export function defineSides({ pollwise, createResource, tanstack, n, origins, interval }) {
  const urls = itemUrls(n, origins);
  const keys = Array.from({ length: n }, (_, i) => String(i));
  const resourceSide = (withBatch) =>
    pollwiseSide(pollwise.createPoller, interval, (poller) => {
      const resource = createResource(poller, {
        item: { url: keyUrl(origins) },
        ...(withBatch ? { batch: { url: batchUrl(origins), key: (entry) => entry.id } } : {}),
        interval,
        maxItems: 2 * n, // every key stays cached: what is measured is n live items
      });
      return () => keys.map((key) => resource.subscribe(key, () => {}));
    });
  return {
    poll: {
      label: 'pollwise poll(url)',
      per: 'item',
      create: pollwiseSide(
        pollwise.createPoller,
        interval,
        (poller) => () => urls.map((url) => poller.poll(url, { onData: () => {} })),
      ),
    },
    batch: { label: 'pollwise resource, batch GET', per: 'batch', create: resourceSide(true) },
    item: { label: 'pollwise resource, per item', per: 'item', create: resourceSide(false) },
    tanstack: {
      label: 'TanStack QueryObserver',
      per: 'item',
      create: tanstackSide(tanstack, urls, interval),
    },
    baseline: {
      label: 'baseline: fetch + json per item',
      per: 'item',
      create: baselineItems(urls, interval),
    },
    baseline64: {
      label: 'baseline: batch fetch + json',
      per: 'batch',
      create: baselineBatches(keys, origins, interval),
    },
  };
}

function tanstackSide(tanstack, urls, interval) {
  const { QueryClient, QueryObserver, timeoutManager } = tanstack;
  // Its timers go to the manual clock of the current run. One provider for the whole process:
  // query-core warns when the provider changes after timers were created.
  let current = null;
  timeoutManager.setTimeoutProvider({
    setTimeout: (cb, ms) => current.setTimeout(cb, ms),
    clearTimeout: (handle) => current?.clearTimeout(handle),
    setInterval: (cb, ms) => current.setInterval(cb, ms),
    clearInterval: (handle) => current?.clearInterval(handle),
  });
  return (clock) => {
    current = clock;
    const client = new QueryClient();
    client.mount();
    let unsubscribes = [];
    let observers = [];
    return {
      subscribe: () => {
        observers = urls.map(
          (url) =>
            new QueryObserver(client, {
              queryKey: ['poll', url],
              queryFn: () => fetch(url).then((response) => response.json()),
              refetchInterval: interval,
              retry: false,
            }),
        );
        unsubscribes = observers.map((observer) => observer.subscribe(() => {}));
      },
      teardown: () => {
        for (const unsubscribe of unsubscribes) unsubscribe();
        for (const observer of observers) observer.destroy();
        client.clear();
        client.unmount();
        current = null;
      },
    };
  };
}

function baselineItems(urls, interval) {
  return (clock) => {
    let timers = [];
    return {
      subscribe: () => {
        timers = urls.map((url) => {
          const onData = () => {};
          return clock.setInterval(() => {
            fetch(url)
              .then((response) => response.json())
              .then(onData);
          }, interval);
        });
      },
      teardown: () => {
        for (const timer of timers) clock.clearInterval(timer);
      },
    };
  };
}

function baselineBatches(keys, origins, interval) {
  const url = batchUrl(origins);
  return (clock) => {
    let timers = [];
    return {
      subscribe: () => {
        const listeners = new Map(keys.map((key) => [key, () => {}]));
        const byOrigin = Array.from({ length: origins }, () => []);
        for (const key of keys) byOrigin[Number(key) % origins].push(key);
        timers = byOrigin.flatMap((originKeys) => {
          const chunks = [];
          for (let i = 0; i < originKeys.length; i += BATCH_SIZE) {
            chunks.push(originKeys.slice(i, i + BATCH_SIZE));
          }
          return chunks.map((chunk) =>
            clock.setInterval(() => {
              fetch(url(chunk))
                .then((response) => response.json())
                .then((entries) => {
                  for (const entry of entries) listeners.get(entry.id)(entry);
                });
            }, interval),
          );
        });
      },
      teardown: () => {
        for (const timer of timers) clock.clearInterval(timer);
      },
    };
  };
}
