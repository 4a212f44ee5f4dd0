// Just enough Markdown for the README tests: fenced code blocks, sections and pipe tables.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Paths from the file name, not `new URL()`: happy-dom replaces the global URL in DOM tests.
export const README_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../README.md');

export function readme(): string {
  return readFileSync(README_PATH, 'utf8');
}

export interface CodeBlock {
  /** 1-based README line of the opening fence. */
  line: number;
  /** The info string's first word, lower case (`ts`, `typescript`, `sh`, ...). */
  lang: string;
  code: string;
  /** The line right before the fence is `<!-- no-check -->` (or `<!-- no-check: why -->`). */
  noCheck: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const NO_CHECK = /^\s*<!--\s*no-check(?::[^>]*)?\s*-->\s*$/;

/** Every fenced code block, in order. An unclosed fence runs to the end, as in CommonMark. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close !== null && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      body.push(lines[j]!);
    }
    blocks.push({
      line: i + 1,
      lang: open[2]!.toLowerCase(),
      code: body.join('\n'),
      noCheck: i > 0 && NO_CHECK.test(lines[i - 1]!),
    });
    i = j;
  }
  return blocks;
}

/** Blocks the type-check test compiles: ```ts, ```typescript and ```tsx, unless marked no-check. */
export function typeScriptBlocks(markdown: string): CodeBlock[] {
  return codeBlocks(markdown).filter((b) => ['ts', 'typescript', 'tsx'].includes(b.lang));
}

export interface Section {
  /** The heading's text, without the #s. */
  heading: string;
  /** 1-based line of the heading. */
  line: number;
  /** The lines after the heading, up to the next heading of the same or a higher level. */
  body: string;
}

/**
 * The first section whose heading matches `heading` (outside code blocks). Throws when there is
 * none, so that a renamed heading fails the test instead of emptying it.
 */
export function section(markdown: string, heading: RegExp): Section {
  const lines = markdown.split('\n');
  let inFence: string | null = null;
  let start = -1;
  let level = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence !== null) {
      if (inFence === null) inFence = fence[1]![0]!;
      else if (fence[1]![0] === inFence && fence[2] === '') inFence = null;
      continue;
    }
    if (inFence !== null) continue;
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h === null) continue;
    if (start >= 0 && h[1]!.length <= level) {
      return {
        heading: lines[start]!.replace(/^#+\s*/, ''),
        line: start + 1,
        body: lines.slice(start + 1, i).join('\n'),
      };
    }
    if (start < 0 && heading.test(h[2]!)) {
      start = i;
      level = h[1]!.length;
    }
  }
  if (start < 0) throw new Error(`README has no heading matching ${heading}`);
  return {
    heading: lines[start]!.replace(/^#+\s*/, ''),
    line: start + 1,
    body: lines.slice(start + 1).join('\n'),
  };
}

export interface TableRow {
  /** Cells by lower-case header name, as written (Markdown included). */
  cells: Record<string, string>;
  /** 1-based line within the text the table was parsed from. */
  line: number;
}

/** Splits a pipe-table row into cells; `\|` is a literal pipe, as in GFM. */
function cellsOf(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The first pipe table in `text` whose header row has every one of `columns`. */
export function table(text: string, columns: readonly string[]): TableRow[] {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\s*\|?\s*:?-{3,}/.test(lines[i + 1]!)) continue;
    const header = cellsOf(lines[i]!).map((c) => c.toLowerCase());
    if (!columns.every((c) => header.includes(c))) continue;
    const rows: TableRow[] = [];
    for (let j = i + 2; j < lines.length && lines[j]!.trim().startsWith('|'); j++) {
      const values = cellsOf(lines[j]!);
      const cells: Record<string, string> = {};
      header.forEach((name, k) => {
        cells[name] = values[k] ?? '';
      });
      rows.push({ cells, line: j + 1 });
    }
    return rows;
  }
  throw new Error(`no table with columns ${columns.join(', ')}`);
}

/** The contents of each `code span` in a cell, in order. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}
