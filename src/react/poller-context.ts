import { createContext, createElement, type ReactNode, useContext } from 'react';
import type { Poller } from '../poller.js';

const PollerContext = createContext<Poller | null>(null);

/** Gives every hook below it this poller (one per app, or per signed-in user). */
export function PollerProvider(props: { poller: Poller; children?: ReactNode }) {
  return createElement(PollerContext.Provider, { value: props.poller }, props.children);
}

/** The poller given, else the nearest `PollerProvider`'s; throws when there is neither. */
export function usePoller(poller?: Poller): Poller {
  const provided = useContext(PollerContext);
  const found = poller ?? provided;
  if (found === null) {
    throw Error('pollwise/react: no poller');
  }
  return found;
}
