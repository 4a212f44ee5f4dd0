// The React declaration the README's React recipe uses, as @types/react 19 declares it. The
// repo installs no React; the README type-check maps `react` here. Add what a recipe needs.

export function useSyncExternalStore<Snapshot>(
  subscribe: (onStoreChange: () => void) => () => void,
  getSnapshot: () => Snapshot,
  getServerSnapshot?: () => Snapshot,
): Snapshot;
