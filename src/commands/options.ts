// The parsed-options type a yargs builder declares, so a command's handler is typed from its builder.
import type { Argv } from 'yargs';

export type OptionsOf<B> = B extends (y: Argv) => Argv<infer T> ? T : never;
