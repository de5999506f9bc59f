// The one model of the rootless rewrite: the named, optional steps, in the order they run. The
// TypeScript rewrite (rootless.ts) implements each step by name and the scrun.lua generator renders
// lua/steps/<name>.lua.hbs for each; the differential e2e test holds the two to the same result.
// No imports, so command modules can read it without loading ajv.

// Which steps run; the schema (schemas/rootless-options.schema.json) holds the defaults.
export type RootlessOptions = {
  forceUserNamespace: boolean;
  mapIds: boolean;
  dropAdditionalGids: boolean;
  dropCgroupsPath: boolean;
  dropMountIdOptions: boolean;
  bindMounts: 'keep' | 'copy';
  mergeJobEnv: boolean;
  dropPrestartHooks: boolean;
  dropRlimits: boolean;
};

export type StepName = keyof RootlessOptions;

// The steps in order, with the sentence --help and the generated script's comments use.
export const rootlessSteps: readonly { name: StepName; describe: string }[] = [
  { name: 'forceUserNamespace', describe: 'add a user namespace (rootless runtimes refuse to run without one)' },
  { name: 'mapIds', describe: "map the container's user and group to the job's uid and gid" },
  { name: 'dropAdditionalGids', describe: 'remove additionalGids (an unprivileged user cannot map them)' },
  { name: 'dropCgroupsPath', describe: 'remove cgroupsPath (the user cannot create that cgroup)' },
  { name: 'dropMountIdOptions', describe: 'remove uid=/gid= mount options (those ids are not mapped)' },
  {
    name: 'bindMounts',
    describe: 'copy bind mount sources into the rootfs instead of mounting them (copy), or keep them',
  },
  { name: 'mergeJobEnv', describe: "add the job's environment variables the container does not set itself" },
  { name: 'dropPrestartHooks', describe: 'remove prestart hooks (they expect root, e.g. to set up networking)' },
  { name: 'dropRlimits', describe: 'remove rlimits (raising a hard limit needs privilege)' },
];

// Whether a step does anything with these options (bindMounts=keep is a no-op).
export const stepEnabled = (options: RootlessOptions, name: StepName): boolean =>
  name === 'bindMounts' ? options.bindMounts === 'copy' : options[name];
