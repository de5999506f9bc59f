// The bundle commands' work behind their yargs modules: flags in, text or JSON out.
import { optionsFromFlags } from './rootless-options.js';
import { createBundle } from './create.js';
import { validateBundle } from './validate.js';
import { applyRootless } from './apply-rootless.js';

type Common = { dir: string; format: 'text' | 'json'; skip: string[]; bindMounts?: string };

const print = (format: string, json: object, lines: string[]) =>
  process.stdout.write(format === 'json' ? `${JSON.stringify(json)}\n` : lines.map((l) => `${l}\n`).join(''));

// bundle create
export async function createBundleCommand(
  argv: Common & { image?: string; rootfs?: string; tar?: string; rootless: boolean; _: (string | number)[] },
): Promise<void> {
  // yargs leaves the words after `--` in _, behind the two command words
  const args = argv._.slice(2).map(String);
  const changes = await createBundle(argv.dir, argv, {
    args,
    rootless: argv.rootless,
    steps: optionsFromFlags(argv.skip, argv.bindMounts),
  });
  print(argv.format, { bundle: argv.dir, changes }, [`created bundle ${argv.dir}`, ...changes.map((c) => `  ${c}`)]);
}

// bundle validate
export function validateBundleCommand(argv: { dir: string; format: 'text' | 'json' }): void {
  const { config, rootfs } = validateBundle(argv.dir);
  print(argv.format, { valid: true, config, rootfs }, [`${config} is valid (rootfs ${rootfs})`]);
}

// bundle rootless
export async function rootlessBundleCommand(
  argv: Common & { uid?: number; gid?: number; dryRun: boolean },
): Promise<void> {
  const uid = argv.uid ?? process.getuid?.() ?? 0;
  const gid = argv.gid ?? process.getgid?.() ?? 0;
  const changes = await applyRootless(
    argv.dir,
    { ...optionsFromFlags(argv.skip, argv.bindMounts), uid, gid },
    argv.dryRun,
  );
  const verb = argv.dryRun ? 'would change' : 'changed';
  print(
    argv.format,
    { dryRun: argv.dryRun, changes },
    changes.length ? [`${verb}:`, ...changes.map((c) => `  ${c}`)] : ['nothing to change'],
  );
}
