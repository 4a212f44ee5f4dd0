import type { Band, BandKind } from './bands.js';
import { escapeHtml } from './escape-html.js';
import type { RequestKind, WireEntry } from './wire-log.js';

/** The timeline shows this much of the past (ms). */
export const TIMELINE_SPAN_MS = 60_000;

export interface TimelineInput {
  entries: readonly WireEntry[];
  bands: readonly Band[];
  now: number;
  width: number;
}

const LABEL_W = 92;
const RIGHT_PAD = 8;
const ROW_H = 86;
const AXIS_H = 18;
const LANES: Record<RequestKind, { y: number; h: number; label: string }> = {
  batch: { y: 18, h: 20, label: 'batch' },
  item: { y: 42, h: 20, label: 'per item' },
  wrapped: { y: 66, h: 14, label: 'app fetch' },
};
const BAND_COLORS: Record<BandKind, string> = {
  hidden: 'rgba(100, 116, 139, 0.28)',
  cooldown: 'rgba(220, 38, 38, 0.18)',
  breaker: 'rgba(234, 88, 12, 0.28)',
  paced: 'rgba(234, 179, 8, 0.22)',
};
const KIND_COLORS: Record<RequestKind, string> = {
  batch: '#2563eb',
  item: '#475569',
  wrapped: '#16a34a',
};

/** Origin of a URL, '' when it has none. */
const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

/**
 * The SVG of one dashboard's last minute: a row per origin it talked to, a lane per kind of
 * request, a mark per request (red: 429, orange: other errors, pale: in flight), and bands
 * for hidden-tab time, cooldowns, open breakers and paced spans. Every mark carries the
 * request's time, method, URL and status, so a test can match it with the server's log.
 */
export function timelineSvg({ entries, bands, now, width }: TimelineInput): string {
  const from = now - TIMELINE_SPAN_MS;
  const recent = entries.filter((e) => e.at >= from);
  const origins = [...new Set(recent.map((e) => originOf(e.url)))];
  for (const band of bands) {
    if (band.origin !== '' && !origins.includes(band.origin) && (band.to ?? now) >= from) {
      origins.push(band.origin);
    }
  }
  if (origins.length === 0) origins.push('');
  const plotW = width - LABEL_W - RIGHT_PAD;
  const x = (t: number) => LABEL_W + (Math.max(t, from) - from) * (plotW / TIMELINE_SPAN_MS);
  const height = origins.length * ROW_H + AXIS_H;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-now="${now}">`,
  ];
  origins.forEach((origin, row) => {
    const top = row * ROW_H;
    parts.push(
      `<g class="row" data-origin="${escapeHtml(origin)}" transform="translate(0 ${top})">`,
    );
    parts.push(`<rect x="${LABEL_W}" y="2" width="${plotW}" height="${ROW_H - 4}" class="plot"/>`);
    for (const band of bands) {
      if (band.origin !== '' && band.origin !== origin) continue;
      // A cooldown band ends in the future: draw it up to now.
      const end = Math.min(band.to ?? now, now);
      if (end < from) continue;
      const bx = x(band.from);
      parts.push(
        `<rect class="band" data-band="${band.kind}" x="${bx.toFixed(1)}" y="2" width="${Math.max(1, x(end) - bx).toFixed(1)}" height="${ROW_H - 4}" fill="${BAND_COLORS[band.kind]}"/>`,
      );
    }
    parts.push(
      `<text x="4" y="12" class="origin">${escapeHtml(origin.replace(/^https?:\/\//, '') || 'no requests')}</text>`,
    );
    for (const lane of Object.values(LANES)) {
      parts.push(`<text x="4" y="${lane.y + lane.h - 4}" class="lane">${lane.label}</text>`);
    }
    for (const entry of recent) {
      if (originOf(entry.url) !== origin) continue;
      parts.push(markSvg(entry, x(entry.at)));
    }
    parts.push('</g>');
  });
  parts.push(axisSvg(origins.length * ROW_H, x, now));
  parts.push('</svg>');
  return parts.join('');
}

function markSvg(entry: WireEntry, at: number): string {
  const lane = LANES[entry.kind];
  const color =
    entry.status === 429
      ? '#dc2626'
      : entry.status === 0
        ? '#94a3b8'
        : entry.status < 0 || entry.status >= 400
          ? '#ea580c'
          : KIND_COLORS[entry.kind];
  const tall = entry.status === 429 ? 4 : 0;
  return `<line class="mark" data-seq="${entry.seq}" data-kind="${entry.kind}" data-at="${entry.at}" data-method="${entry.method}" data-url="${escapeHtml(entry.url)}" data-status="${entry.status}" x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${lane.y - tall}" y2="${lane.y + lane.h + tall}" stroke="${color}" stroke-width="${entry.status === 429 ? 2 : 1.2}"/>`;
}

function axisSvg(top: number, x: (t: number) => number, now: number): string {
  const parts = [`<g class="axis" transform="translate(0 ${top})">`];
  for (let s = 60; s >= 0; s -= 10) {
    const tx = x(now - s * 1000);
    parts.push(`<line x1="${tx}" x2="${tx}" y1="0" y2="4"/>`);
    parts.push(`<text x="${tx}" y="14" text-anchor="middle">${s === 0 ? 'now' : `−${s} s`}</text>`);
  }
  parts.push('</g>');
  return parts.join('');
}
