/** Spans the timeline shades behind the requests. */
export type BandKind = 'hidden' | 'cooldown' | 'breaker' | 'paced';

export interface Band {
  kind: BandKind;
  /** The origin it applies to; '' for the whole page (hidden). */
  origin: string;
  from: number;
  /** Undefined while it lasts. */
  to?: number;
}

const KEEP_MS = 5 * 60_000;

/** A record of bands: open one, close it, or give it a known end (a cooldown's `until`). */
export class BandLog {
  readonly #list: Band[] = [];

  /** Opens a band, unless one of that kind and origin is open already. */
  open(kind: BandKind, origin: string, at = Date.now()): void {
    if (this.#current(kind, origin) !== undefined) return;
    this.#list.push({ kind, origin, from: at });
    this.#trim(at);
  }

  close(kind: BandKind, origin: string, at = Date.now()): void {
    const band = this.#current(kind, origin);
    if (band !== undefined) band.to = at;
  }

  /** A band with a known end; one that overlaps the last of its kind extends it. */
  span(kind: BandKind, origin: string, from: number, to: number): void {
    let last: Band | undefined;
    for (const band of this.#list) if (band.kind === kind && band.origin === origin) last = band;
    if (last !== undefined && (last.to === undefined || last.to >= from)) {
      last.to = Math.max(last.to ?? to, to);
      return;
    }
    this.#list.push({ kind, origin, from, to });
    this.#trim(from);
  }

  /** Bands that overlap [from, now]. */
  since(from: number): Band[] {
    return this.#list.filter((b) => b.to === undefined || b.to >= from);
  }

  #current(kind: BandKind, origin: string): Band | undefined {
    return this.#list.find((b) => b.kind === kind && b.origin === origin && b.to === undefined);
  }

  /** Drops bands that ended long ago, wherever they are (an open one may come first). */
  #trim(now: number) {
    const ended = (band: Band) => band.to !== undefined && band.to < now - KEEP_MS;
    if (!this.#list.some(ended)) return;
    const kept = this.#list.filter((band) => !ended(band));
    this.#list.length = 0;
    this.#list.push(...kept);
  }
}
