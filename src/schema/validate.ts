// Schema checks with precompiled validators (src/generated, written by scripts/build.mjs from schemas/).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CliError } from '../errors.js';

// One line per failed rule: the JSON path, then what the rule wants.
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String(e.params.additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${(e.params.allowedValues as unknown[]).join(', ')})`
          : '';
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
}

// How many failed rules an error names (a generated config can break one rule thousands of times).
const SHOWN = 20;

// Throws one CliError naming the first failed rules, or returns the data typed.
export function assertValid<T>(validate: ValidateFunction, data: unknown, what: string, exitCode = 1): T {
  if (validate(data)) return data as T;
  const errors = validate.errors ?? [];
  const lines = formatSchemaErrors(errors.slice(0, SHOWN));
  if (errors.length > SHOWN) lines.push(`… and ${errors.length - SHOWN} more`);
  throw new CliError(`${what} is invalid:\n  ${lines.join('\n  ')}`, exitCode);
}
