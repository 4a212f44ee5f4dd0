import type { SchemaIssue } from '../errors.js';

/**
 * The Standard Schema interface (https://standardschema.dev), copied as the spec recommends, so
 * that any implementation (zod 4, valibot, arktype) validates items without a dependency.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly SchemaIssue[] };

export type InferOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : unknown;

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: readonly SchemaIssue[] };

/** Runs a schema; a validator that throws counts as one issue, never as an escape. */
export async function validate<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
): Promise<Validated<T>> {
  try {
    const result = await schema['~standard'].validate(value);
    return result.issues === undefined
      ? { ok: true, value: result.value }
      : { ok: false, issues: result.issues };
  } catch (error) {
    return { ok: false, issues: [{ message: `the schema threw: ${String(error)}` }] };
  }
}
