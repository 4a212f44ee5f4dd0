import { InvalidOptionsError, invalid } from '../errors.js';
import { type Check, isObject, type Path, type Problem } from './check.js';

/**
 * Copies plain objects into null-prototype objects, so that reading an option that was not given
 * finds nothing even if Object.prototype was polluted elsewhere (a polluted `fetch` stays unused).
 * For schema libraries that read options as given (zod): the core's own checks copy by shape.
 * Option bags nest `levels` deep (resource options: two); below that a value is kept as given,
 * so a cyclic or deeply nested value cannot overflow the stack (no option takes it anyway).
 */
export function ownOnly(value: unknown, levels = 2): unknown {
  if (levels === 0) return value;
  if (Array.isArray(value)) return value.map((v) => ownOnly(v, levels - 1));
  if (
    value === null ||
    typeof value !== 'object' ||
    Object.getPrototypeOf(value) !== Object.prototype ||
    '~standard' in value
  ) {
    // Functions, URLs, sources and schemas keep their identity (a schema may use `this`).
    return value;
  }
  const copy: Record<string, unknown> = Object.create(null);
  for (const [key, v] of Object.entries(value)) copy[key] = ownOnly(v, levels - 1);
  return copy;
}

function formatPath(path: Path, root: string): string {
  let out = root;
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
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

/** One InvalidOptionsError naming every problem's option (under `root`) and its value. */
export const optionsError = (problems: readonly Problem[], input: unknown, root: string) =>
  new InvalidOptionsError(
    problems.map(({ path, message }) => ({
      option: formatPath(path, root),
      value: valueAt(input, path),
      message,
    })),
  );

/** Throws unless `input` is an object or undefined (no options). */
export function assertObject(input: unknown, root: string): void {
  if (input !== undefined && !isObject(input)) {
    throw invalid(root || 'options', input, 'must be an object');
  }
}

/**
 * Checks `input` with `check`; throws one InvalidOptionsError naming every bad option and its
 * value. Returns the option bags as null-prototype copies of their own properties (see
 * `object`); the objects the app hands over in them are the very objects given.
 */
export function validateOptions(check: Check, input: unknown, root = ''): unknown {
  assertObject(input, root);
  let problems: Problem[] = [];
  let options: unknown;
  try {
    options = check(input ?? {}, [], problems);
  } catch {
    // A getter or a proxy trap threw: the options cannot be read.
    problems = [{ path: [], message: 'could not be read' }];
  }
  if (problems.length > 0) throw optionsError(problems, input, root);
  return options;
}
