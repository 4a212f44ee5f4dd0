import type * as z from 'zod/mini';
import { InvalidOptionsError, type OptionIssue } from '../errors.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/**
 * Copies plain objects into null-prototype objects, so that reading an option that was not given
 * finds nothing even if Object.prototype was polluted elsewhere (a polluted `fetch` stays unused).
 */
function ownOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownOnly);
  if (
    value === null ||
    typeof value !== 'object' ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return value; // functions, URLs, schemas and sources keep their identity
  }
  const copy: Record<string, unknown> = Object.create(null);
  for (const [key, v] of Object.entries(value)) copy[key] = ownOnly(v);
  return copy;
}

function formatPath(path: Path, root: string): string {
  let out = root;
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? 'options' : out;
}

function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    // Own properties only: never read through a prototype the input may have polluted.
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function toOptionIssues(issue: Issue, input: unknown, root: string): OptionIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      option: formatPath([...issue.path, key], root),
      value: valueAt(input, [...issue.path, key]),
      message: 'is not a known option',
    }));
  }
  const message =
    issue.message && issue.message !== 'Invalid input'
      ? issue.message
      : `is invalid (${issue.code})`;
  return [{ option: formatPath(issue.path, root), value: valueAt(input, issue.path), message }];
}

/**
 * Parses `input` with `schema`; throws one InvalidOptionsError naming every bad option and its
 * value. Never lets a TypeError from deep inside escape.
 */
export function validateOptions<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  root = '',
): z.output<S> {
  if (
    input !== undefined &&
    (input === null || typeof input !== 'object' || Array.isArray(input))
  ) {
    throw new InvalidOptionsError([
      { option: root || 'options', value: input, message: 'must be an object' },
    ]);
  }
  // Own properties only, before and after: zod would read an inherited `fetch` as if given.
  const result = schema.safeParse(ownOnly(input ?? {}));
  if (result.success) return ownOnly(result.data) as z.output<S>;
  throw new InvalidOptionsError(result.error.issues.flatMap((i) => toOptionIssues(i, input, root)));
}
