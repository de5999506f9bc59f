// Shell quoting: every path or value that reaches /bin/sh goes through here (a bundle path with a
// space, or with `$(...)` in it, must stay one literal word).

// Quotes one argument for POSIX sh, in single quotes; safe for any byte string. A `'` becomes
// `'\''`, not `'"'"'`: oci.conf values cannot hold a double quote, and this text lands there too.
export const shellQuote = (arg: string): string =>
  /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;

// Quotes and joins an argv into one sh command line.
export const shellJoin = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');
