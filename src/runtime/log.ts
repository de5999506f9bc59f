// The runtime's own log, as runc writes it: `--log FILE` (default: stderr only) in `--log-format
// text|json`. Errors always go to stderr too, since conmon reports stderr when create fails.
// One Log per call (it travels in the Context): the runtime server never mixes two calls' logs.
import fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
// ECHO (default true): errors also go to stderr; the scrun supervisor's stderr is the container's.
export type LogOptions = { file?: string; format: 'text' | 'json'; debug: boolean; echo?: boolean };
export type Log = (level: LogLevel, msg: string) => void;

// One line as runc/logrus formats it: JSON `{"level","msg","time"}` or text `time=… level=… msg=…`.
export function formatLine(level: LogLevel, msg: string, format: LogOptions['format'], time = new Date()): string {
  const t = time.toISOString().replace(/\.\d+Z$/, 'Z');
  return format === 'json'
    ? `${JSON.stringify({ level, msg, time: t })}\n`
    : `time="${t}" level=${level} msg=${JSON.stringify(msg)}\n`;
}

// A log that appends to the --log file (if any); errors and --debug lines also go to STDERR.
export function createLog(options: LogOptions, stderr: (text: string) => void): Log {
  return (level, msg) => {
    if (level === 'debug' && !options.debug) return;
    if (options.file) {
      try {
        fs.appendFileSync(options.file, formatLine(level, msg, options.format));
      } catch {
        // an unwritable log must not hide the real error, which still reaches stderr
      }
    }
    if (options.echo === false) return;
    if (level === 'error' || (options.debug && !options.file)) stderr(`slurm-oci-runtime: ${msg}\n`);
  };
}
