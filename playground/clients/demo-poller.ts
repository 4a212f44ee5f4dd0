import { createPoller, type Poller } from '../../src/index.js';
import type { DashboardEnvironment } from './dashboard.js';

/** The poller every pollwise client of the demo uses: same host policy, same environment. */
export function createDemoPoller({
  clock,
  fetch,
  visibility,
  random,
}: Pick<DashboardEnvironment, 'clock' | 'fetch' | 'visibility' | 'random'>): Poller {
  return createPoller({
    clock,
    fetch,
    visibility,
    online: false,
    hosts: [{ match: '*.hf.space', interval: 2500 }],
    random,
  });
}
