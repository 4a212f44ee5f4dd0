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

  #trim(now: number) {
    let drop = 0;
    while (
      drop < this.#list.length &&
      this.#list[drop]!.to !== undefined &&
      this.#list[drop]!.to! < now - KEEP_MS
    ) {
      drop++;
    }
    if (drop > 0) this.#list.splice(0, drop);
  }
}
