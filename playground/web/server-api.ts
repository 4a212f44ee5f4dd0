import type { CountedRequest } from '../server/live-backend.js';
import type { BackendSettings } from '../server/settings.js';

export type ClientCounts = Record<
  string,
  { requests: number; lastMinute: number; rateLimited: number }
>;

async function call<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/__playground/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(json.error ?? `HTTP ${response.status}`);
  return json;
}

/** The playground backend's control routes (`playground/server/control-api.ts`). */
export const serverApi = {
  settings: () => call<BackendSettings>('settings'),
  update: (patch: Partial<BackendSettings>) => call<BackendSettings>('settings', patch),
  force429: (retryAfter: number, client?: string) => call('force-429', { client, retryAfter }),
  /** Per client, what the server counted since `since` (epoch ms). */
  counts: (since: number) => call<ClientCounts>(`counts?since=${since}`),
  requests: (client: string, since: number) =>
    call<CountedRequest[]>(`requests?client=${encodeURIComponent(client)}&since=${since}`),
};
