// A small hand-written validator for flat option objects, so that a poll-only app carries no
// schema library (zod validates the richer `pollwise/resource` options, in that entry only).

/** Where an option is: names and array indices, e.g. `['hosts', 1, 'match']`. */
export type Path = readonly (string | number)[];

export interface Problem {
  path: Path;
  message: string;
  /**
   * The value is of the wrong kind (not a number, not an object), as opposed to a value of the
   * right kind out of range or an unknown key. `orFalse` reports its own message for those.
   */
  kind?: true;
}

/**
 * Pushes what is wrong with `value` (found at `path`) to `problems`, every problem at once, and
 * returns the value to keep: an object check returns a new object of the options given.
 */
export type Check = ((value: unknown, path: Path, problems: Problem[]) => unknown) & {
  /** The options of an object check (also of `orFalse(object)`), e.g. for documentation. */
  shape?: Shape;
};

export type Shape = Readonly<Record<string, Check>>;

export const isObject = (value: unknown): value is Record<string, unknown> => {
  try {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false; // a revoked Proxy: no object to read options from
  }
};

/** Written as `{ ... }` (in any realm, JSON.parse included) or with a null prototype. */
const isPlain = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
};

/** `test` holds, else `must be ${what}` (a value of the wrong kind: no check after it runs). */
export const is =
  (test: (value: unknown) => boolean, what: string): Check =>
  (value, path, problems) => {
    if (!test(value)) problems.push({ path, message: `must be ${what}`, kind: true });
    return value;
  };

/** `check`, then `test` when `check` found nothing, else `message` (a value out of range). */
export const refine =
  <T>(check: Check, test: (value: T) => boolean, message: string): Check =>
  (value, path, problems) => {
    const before = problems.length;
    check(value, path, problems);
    if (problems.length === before && !test(value as T)) problems.push({ path, message });
    return value;
  };

/** A finite number for which `test` holds, else `must be ${what}`. */
export const number = (what: string, test: (n: number) => boolean): Check =>
  refine(
    is((v) => typeof v === 'number' && Number.isFinite(v), what),
    test,
    `must be ${what}`,
  );

/**
 * One of `literals` (`false`; `true` and `false`), or a value `check` takes. A value of the wrong
 * kind for `check` gets `must be ${what}`; one of the right kind gets what `check` says, nested
 * options by their own path (`breaker.windowSize: must be an integer ...`, with the value given
 * there).
 */
export const orLiterals = (literals: readonly unknown[], check: Check, what: string): Check =>
  Object.assign(
    (value: unknown, path: Path, problems: Problem[]) => {
      if (literals.includes(value)) return value;
      const own: Problem[] = [];
      const kept = check(value, path, own);
      if (own.some((p) => p.kind && p.path === path))
        problems.push({ path, message: `must be ${what}`, kind: true });
      else problems.push(...own);
      return kept;
    },
    { shape: check.shape },
  );

/** `false`, or a value `check` takes (see `orLiterals`). */
export const orFalse = (check: Check, what: string): Check => orLiterals([false], check, what);

/**
 * An object of the options in `shape`, each optional but `required` ones; any other key is
 * `not a known option`. A nested one (settings, a host policy) must be a plain object. Reads own properties only: an option is never inherited, so a polluted
 * Object.prototype cannot make one appear. Returns a null-prototype copy of the bag; the values
 * in it are what the checks return, so an object the app hands over (a source, a clock, a
 * schema) is kept as given, never copied: it may keep its state on `this`.
 */
export const object = (shape: Shape, required: readonly string[] = []): Check =>
  Object.assign(
    (value: unknown, path: Path, problems: Problem[]) => {
      // A nested settings object must be plain: a Date or a boxed number is no "no settings".
      if (!isObject(value) || (path.length > 0 && !isPlain(value))) {
        problems.push({ path, message: 'is invalid (invalid_type)', kind: true });
        return value;
      }
      const kept: Record<string, unknown> = Object.create(null);
      for (const [key, check] of Object.entries(shape)) {
        const given = Object.hasOwn(value, key);
        const v = given ? value[key] : undefined;
        const out =
          v === undefined && !required.includes(key) ? v : check(v, [...path, key], problems);
        if (given) kept[key] = out;
      }
      // Every enumerable key, as zod lists unknown keys: inherited ones too (a URL's `href`), but
      // on a plain object own keys only (what a polluted Object.prototype adds is no option).
      const plain = isPlain(value);
      for (const key in value) {
        if (plain && !Object.hasOwn(value, key)) continue;
        if (!Object.hasOwn(shape, key)) {
          problems.push({ path: [...path, key], message: 'is not a known option' });
        }
      }
      return kept;
    },
    { shape },
  );

/** An array whose every element `check` takes; anything else is not `what`. */
export const array =
  (check: Check, what: string): Check =>
  (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push({ path, message: `must be ${what}`, kind: true });
      return value;
    }
    const kept: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      kept.push(check(Object.hasOwn(value, i) ? value[i] : undefined, [...path, i], problems));
    }
    return kept;
  };
