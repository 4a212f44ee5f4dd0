import type { PollerCore } from '../core/poller-core.js';
import { HttpError, UnexpectedResponseError } from '../errors.js';
import { LruMap } from '../query/lru-map.js';
import { readJson } from '../transport/read-json.js';
import {
  type BatchAnswer,
  type BatchLoader,
  countedSend,
  type ItemLoader,
  NOT_MODIFIED,
} from './loaders.js';
import type { HttpBatchEndpoint, HttpItemEndpoint } from './types.js';

type HttpDeps = Pick<PollerCore, 'door' | 'stats' | 'events' | 'baseUrl'>;

const MISSING_ENDPOINT = [404, 405, 501];
const TOO_LARGE = [413, 414];
const ACCEPT_JSON = Object.freeze({ accept: 'application/json' });
const SEND_JSON = Object.freeze({ accept: 'application/json', 'content-type': 'application/json' });

/** Reads a batch response: the status decides (never a message), then the entries. */
async function readBatchAnswer<K>(
  response: Response,
  href: string,
  endpoint: HttpBatchEndpoint<K>,
): Promise<BatchAnswer> {
  const { status } = response;
  if (MISSING_ENDPOINT.includes(status)) return { kind: 'missing' };
  // A batch request never names an ETag: a 304 stands for nothing (and is never data).
  if (status === 304) throw new UnexpectedResponseError(href, 304, 'no ETag was sent');
  if (TOO_LARGE.includes(status)) {
    const error = new UnexpectedResponseError(href, status, 'one key is already too large');
    return { kind: 'too-large', error };
  }
  if (!response.ok) throw new HttpError(href, status, response.headers);
  const json = await readJson(response, href);
  const entries = endpoint.select ? endpoint.select(json) : json;
  if (!Array.isArray(entries)) {
    throw new UnexpectedResponseError(href, status, 'entries are not an array');
  }
  return { kind: 'entries', entries };
}

/** The batch endpoint `batch.url`: one request per chunk of keys, POST with a JSON body or GET. */
export function httpBatchLoader<K>(endpoint: HttpBatchEndpoint<K>, deps: HttpDeps): BatchLoader<K> {
  const { door, stats, events } = deps;
  const method = endpoint.method ?? (endpoint.body ? 'POST' : 'GET');
  const urlOf = (keys: readonly K[]) =>
    new URL(typeof endpoint.url === 'function' ? endpoint.url(keys) : endpoint.url, deps.baseUrl());
  return {
    origin: (keys) => urlOf(keys).origin,
    urlFor: method === 'GET' ? (keys) => urlOf(keys).href : undefined,
    async load(keys, signal) {
      // User functions run before the send: when they throw, nothing went out.
      const url = urlOf(keys);
      const init: RequestInit = endpoint.body
        ? { method, headers: SEND_JSON, body: JSON.stringify(endpoint.body(keys)) }
        : { method, headers: ACCEPT_JSON };
      const count = () => {
        stats.batches++;
        stats.batchedKeys += keys.length;
      };
      return await countedSend(count, (answered) =>
        door.exchange(
          url,
          init,
          (response) => {
            answered();
            events.emit('batch', { url: url.href, keys: keys.length, status: response.status });
            return readBatchAnswer(response, url.href, endpoint);
          },
          signal,
        ),
      );
    },
  };
}

/**
 * The per-item endpoint `item.url`: GET, revalidated with the URL's last ETag. A 304 reuses the
 * cached data; a 304 to a request that named no ETag stands for nothing and is an error.
 */
export function httpItemLoader<K>(
  item: HttpItemEndpoint<K, unknown>,
  deps: HttpDeps,
  maxItems: number,
): ItemLoader<K> {
  const { door, stats } = deps;
  const etags = new LruMap<string, string>(maxItems);
  const urlOf = (key: K) => new URL(item.url(key), deps.baseUrl());
  return {
    origin: (key) => urlOf(key).origin,
    async load(key, snapshot, signal) {
      const url = urlOf(key);
      const { href } = url;
      // An ETag only stands for data the item still holds.
      const etag = snapshot.data === undefined ? undefined : etags.get(href);
      const headers = etag ? { ...ACCEPT_JSON, 'if-none-match': etag } : ACCEPT_JSON;
      const read = async (response: Response): Promise<unknown> => {
        if (response.status === 304) {
          if (etag === undefined) throw new UnexpectedResponseError(href, 304, 'no ETag was sent');
          stats.notModified++;
          return NOT_MODIFIED;
        }
        if (!response.ok) throw new HttpError(href, response.status, response.headers);
        const json = await readJson(response, href);
        const fresh = response.headers.get('etag');
        if (fresh) etags.set(href, fresh);
        else etags.delete(href);
        return json;
      };
      const count = () => {
        stats.itemRequests++;
      };
      return await countedSend(count, (answered) =>
        door.exchange(
          url,
          { headers },
          (response) => {
            answered();
            return read(response);
          },
          signal,
        ),
      );
    },
    forget(key) {
      try {
        etags.delete(urlOf(key).href);
      } catch {
        // A key whose URL cannot be built never had an ETag.
      }
    },
    get etags() {
      return etags.size;
    },
    clear: () => etags.clear(),
  };
}
