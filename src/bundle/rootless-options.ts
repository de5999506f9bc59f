// Step options from a command line or a JSON file, checked against schemas/rootless-options.schema.json.
import { rootlessOptions } from '../generated/validators.cjs';
import { assertValid } from '../schema/validate.js';
import { CliError } from '../errors.js';
import { rootlessSteps, type RootlessOptions } from './rootless-steps.js';

// Fills in defaults and checks user-supplied step options (e.g. from a --steps JSON file).
export function resolveRootlessOptions(partial: object = {}): RootlessOptions {
  return assertValid<RootlessOptions>(rootlessOptions, structuredClone(partial), 'rootless options', 2);
}

// The options after `--skip STEP...` and `--bind-mounts keep|copy` from a command line.
export function optionsFromFlags(skip: readonly string[] = [], bindMounts?: string): RootlessOptions {
  const unknown = skip.filter((s) => !rootlessSteps.some((step) => step.name === s));
  if (unknown.length) {
    throw new CliError(
      `unknown step ${unknown.join(', ')}`,
      2,
      `steps are: ${rootlessSteps.map((s) => s.name).join(', ')}`,
    );
  }
  const partial: Record<string, unknown> = Object.fromEntries(
    skip.map((s) => [s, s === 'bindMounts' ? 'keep' : false]),
  );
  if (bindMounts) partial.bindMounts = bindMounts;
  return resolveRootlessOptions(partial);
}
