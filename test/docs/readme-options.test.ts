import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/defaults.js';
import { pollerOptions, pollOptions } from '../../src/options/option-checks.js';
import { resourceOptionsSchema } from '../../src/resource/options.js';
import { codeSpans, readme, section, type TableRow, table } from './markdown.js';

// Options are declared once, in src/defaults.ts and the option schemas; the README's option
// tables must say the same: every option, and every default DEFAULTS holds.

const markdown = readme();

interface OptionRow {
  /** The option names of the row (`url` / `origin` is two). */
  names: string[];
  /** The default as written. */
  cell: string;
  line: number;
}

function optionRows(heading: RegExp, column: string): OptionRow[] {
  const s = section(markdown, heading);
  return table(s.body, [column, 'default']).map((row: TableRow) => ({
    names: codeSpans(row.cells[column]!),
    cell: row.cells.default!,
    line: s.line + row.line,
  }));
}

/**
 * The value of a default cell's first code span, when it is a literal (`2000`, `600_000`,
 * `false`, `0.1`); undefined for prose ("the host policy's", "global `fetch`").
 */
function literalDefault(cell: string): { value: unknown } | undefined {
  const first = codeSpans(cell)[0];
  if (first === undefined) return undefined;
  const text = first.replace(/(?<=\d)_(?=\d)/g, '');
  if (!/^(-?\d+(\.\d+)?|true|false|null)$/.test(text)) return undefined;
  return { value: JSON.parse(text) };
}

/** DEFAULTS as dotted paths: `cooldown.defaultMs` → 10000. */
function flatten(object: object, prefix = ''): [string, unknown][] {
  return Object.entries(object).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null
      ? flatten(value, `${prefix}${key}.`)
      : [[`${prefix}${key}`, value] as [string, unknown]],
  );
}

type ZodDef = {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  options?: unknown[];
};
const defOf = (schema: unknown) => (schema as { _zod: { def: ZodDef } })._zod.def;

/**
 * The object shapes a schema may hold: a core option check's `shape`, or a zod schema's object
 * shapes (through optional and union) for the resource options.
 */
function shapesOf(schema: unknown): Record<string, unknown>[] {
  if (typeof schema === 'function') {
    const { shape } = schema as { shape?: Record<string, unknown> };
    return shape ? [shape] : [];
  }
  const def = defOf(schema);
  if (def.type === 'object') return [def.shape!];
  if (def.type === 'optional') return shapesOf(def.innerType);
  if (def.type === 'union') return def.options!.flatMap(shapesOf);
  return [];
}

/** Every option path of an options schema: `cooldown`, `cooldown.defaultMs`, ...; leaves marked. */
function optionPaths(schema: unknown, prefix = ''): { path: string; leaf: boolean }[] {
  return shapesOf(schema).flatMap((shape) =>
    Object.entries(shape).flatMap(([key, value]) => {
      const children = optionPaths(value, `${prefix}${key}.`);
      return [{ path: `${prefix}${key}`, leaf: children.length === 0 }, ...children];
    }),
  );
}

/** Rows agree with `defaults` (path → value), given how a DEFAULTS key is named in the table. */
function checkDefaults(
  rows: OptionRow[],
  defaults: [string, unknown][],
  label: string,
  rowName: (defaultsKey: string, names: readonly string[]) => string | undefined,
): string[] {
  const problems: string[] = [];
  const named = new Map<string, OptionRow>();
  for (const row of rows) for (const name of row.names) named.set(name, row);
  const covered = new Set<OptionRow>();
  for (const [key, value] of defaults) {
    const name = rowName(key, [...named.keys()]);
    const row = name === undefined ? undefined : named.get(name);
    if (row === undefined) {
      problems.push(`${label}.${key} (${JSON.stringify(value)}) has no row in the README table`);
      continue;
    }
    covered.add(row);
    const literal = literalDefault(row.cell);
    if (literal === undefined || !Object.is(literal.value, value)) {
      problems.push(
        `README.md:${row.line}: \`${name}\` says ${row.cell}, ${label}.${key} is ${JSON.stringify(value)}`,
      );
    }
  }
  for (const row of rows) {
    if (!covered.has(row) && literalDefault(row.cell) !== undefined) {
      problems.push(
        `README.md:${row.line}: \`${row.names.join('`, `')}\` claims the default ${row.cell}, which ${label} does not hold`,
      );
    }
  }
  return problems;
}

/** Every leaf option of the schema has a row, and every row names an option of the schema. */
function checkCoverage(rows: OptionRow[], schema: unknown): string[] {
  const paths = optionPaths(schema);
  const all = new Set(paths.map((p) => p.path));
  const documented = new Set(rows.flatMap((r) => r.names));
  const problems = paths
    .filter((p) => p.leaf && !documented.has(p.path))
    .map((p) => `option \`${p.path}\` has no row in the README table`);
  for (const row of rows) {
    for (const name of row.names) {
      if (!all.has(name)) problems.push(`README.md:${row.line}: \`${name}\` is not an option`);
    }
  }
  return problems;
}

describe('README option tables', () => {
  const pollerRows = optionRows(/^`createPoller\(options\?\)`$/, 'option');
  const resourceRows = optionRows(/^`createResource\(poller, options\)`$/, 'resource option');

  it('createPoller: every DEFAULTS value (but resource.* and stretch.*) is the default the table gives', () => {
    const { resource: _resource, stretch: _stretch, ...pollerDefaults } = DEFAULTS;
    const problems = checkDefaults(pollerRows, flatten(pollerDefaults), 'DEFAULTS', (key) => key);
    expect(problems).toEqual([]);
  });

  it('createPoller: the table lists every option of the schema, and nothing else', () => {
    expect(checkCoverage(pollerRows, pollerOptions)).toEqual([]);
  });

  it('createResource: every DEFAULTS.resource value is the default the table gives', () => {
    const options = new Set(optionPaths(resourceOptionsSchema).map((p) => p.path));
    // `maxSize` is `batch.maxSize` in the options; `window` is `window`.
    const problems = checkDefaults(
      resourceRows,
      flatten(DEFAULTS.resource),
      'DEFAULTS.resource',
      (key, names) => {
        const found = names.filter((n) => options.has(n) && (n === key || n.endsWith(`.${key}`)));
        return found.length === 1 ? found[0] : undefined;
      },
    );
    expect(problems).toEqual([]);
  });

  it('createResource: the table lists every option of the schema, and nothing else', () => {
    expect(checkCoverage(resourceRows, resourceOptionsSchema)).toEqual([]);
  });

  it('poll: every DEFAULTS.stretch value is the default the URL poll table gives', () => {
    const urlRows = optionRows(/^`poller\.poll\(url, options\?\)`$/, 'poll option');
    const stretchRows = urlRows.filter((row) => row.names.some((n) => n.startsWith('stretch.')));
    const problems = checkDefaults(
      stretchRows,
      flatten(DEFAULTS.stretch),
      'DEFAULTS.stretch',
      (key) => `stretch.${key}`,
    );
    expect(problems).toEqual([]);
  });

  it('poll: the URL and task tables together list every poll option, and nothing else', () => {
    const urlRows = optionRows(/^`poller\.poll\(url, options\?\)`$/, 'poll option');
    const taskRows = optionRows(/^`poller\.poll\(task, options\)`$/, 'task option');
    expect(checkCoverage([...urlRows, ...taskRows], pollOptions)).toEqual([]);
    // What poll() refuses for one kind must not be documented for it.
    const taskNames = taskRows.flatMap((r) => r.names);
    const urlNames = urlRows.flatMap((r) => r.names);
    expect(taskNames.filter((n) => ['headers', 'credentials', 'schema'].includes(n))).toEqual([]);
    expect(urlNames.filter((n) => ['url', 'origin'].includes(n))).toEqual([]);
  });

  it('reads defaults as literals, and prose as no default', () => {
    expect(literalDefault('`600_000`')).toEqual({ value: 600000 });
    expect(literalDefault('`false`')).toEqual({ value: false });
    expect(literalDefault('`0.1` of the interval')).toEqual({ value: 0.1 });
    expect(literalDefault('global `fetch`')).toBeUndefined();
    expect(literalDefault("the host policy's")).toBeUndefined();
  });
});
