// The versions `--version` and `features` report.
export const VERSION = '0.1.0';
export const SPEC_VERSION = '1.3.0';
