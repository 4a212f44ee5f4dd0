// "pollwise/react": hooks over the poller's subscriptions, on useSyncExternalStore. React is
// a peer dependency; nothing else of pollwise is imported at run time.
export { PollerProvider, usePoller } from './poller-context.js';
export { type UsePollOptions, usePoll } from './use-poll.js';
export { type UseResourceOptions, useResource } from './use-resource.js';
