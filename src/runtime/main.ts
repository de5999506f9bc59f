// Placeholder until the runtime lands (issue 2): answers --version only.
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write('slurm-oci-runtime version 0.1.0\n');
    return 0;
  }
  process.stderr.write('slurm-oci-runtime: not built yet\n');
  return 1;
}
