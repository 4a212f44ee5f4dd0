import * as z from 'zod/mini';
import type { Poller } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import type { RunLogs, RunRef } from '../sim/simulated-server.js';
import { batchUrl, PROJECT, runLogsUrl } from './dashboard.js';

/** One run's logs, as both endpoints answer them; the resource's `data` is typed from it. */
const runLogsSchema = z.object({
  run: z.string(),
  run_id: z.int(),
  logs: z.array(z.object({ step: z.number(), value: z.number() })),
});

/**
 * The dashboard's runs as one resource: `POST /api/get_logs_batch` for up to `maxSize` runs a
 * request, `GET /api/get_logs` per run where the batch route is missing. `base` is the API's
 * origin (with the playground's `/c/<client>` prefix, if any).
 */
export function createRunLogsResource(poller: Poller, base: string, maxSize = 64) {
  return createResource<RunRef, RunLogs>(poller, {
    item: { url: (ref) => runLogsUrl(base, ref), schema: runLogsSchema },
    batch: {
      url: batchUrl(base),
      body: (runs) => ({ project: PROJECT, runs }),
      key: (entry) => {
        const { run, run_id } = entry as RunRef;
        return { run, run_id };
      },
      maxSize,
    },
    keyId: (ref) => String(ref.run_id),
  });
}
