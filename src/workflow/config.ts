// The shell-style workflow .conf format (the one model of it): `KEY=value` lines as a POSIX shell
// would read them, without running anything. Supported: comments, `export`, several assignments on
// one line, single quotes (literal), double quotes (with `$VAR`, `${VAR}`, `${VAR:-default}` and
// backslash escapes), unquoted words with the same references, `~` at the start of a value, and
// backslash-newline continuations. Anything that would run a command is an error naming file:line.
import { CliError } from '../errors.js';

// A parsed config: values in file order, and the line where each key was last set.
export type ParsedConf = { values: Record<string, string>; lines: Record<string, number> };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WORD_END = new Set([' ', '\t', '\n']);
const SHELL_SYNTAX = new Set([';', '|', '&', '<', '>', '(', ')', '`']);

const unsetHint = (name: string) =>
  `set it, write \${${name}:-default}, or single-quote the value if the job should expand it`;

// Parses TEXT (read from FILE, named in errors); references resolve to earlier keys, then ENV.
export function parseConf(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ParsedConf {
  const values: Record<string, string> = {};
  const lines: Record<string, number> = {};
  let pos = 0;
  let line = 1;

  const fail = (message: string, hint?: string): never => {
    throw new CliError(`${file}:${line}: ${message}`, 2, hint);
  };
  const peek = (offset = 0) => text[pos + offset];
  const advance = () => {
    if (text[pos++] === '\n') line++;
  };
  const skipBlanks = () => {
    for (;;) {
      if (peek() === ' ' || peek() === '\t') pos++;
      else if (peek() === '\\' && peek(1) === '\n') (pos++, advance());
      else return;
    }
  };
  const readName = (): string | undefined => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (m) pos += m[0].length;
    return m?.[0];
  };
  const lookup = (name: string): string | undefined => (Object.hasOwn(values, name) ? values[name] : env[name]);

  // After `$`: a reference, or a literal `$` when nothing name-like follows.
  const readReference = (): string => {
    if (peek() === '(') fail('command substitution $(...) is not supported in a config', 'write the value itself');
    if (peek() !== '{') {
      const name = readName();
      if (name === undefined) {
        if (peek() !== undefined && /[0-9@*#?$!-]/.test(peek())) fail(`special parameter $${peek()} is not supported`);
        return '$';
      }
      return lookup(name) ?? fail(`$${name} is not set earlier in the file or in the environment`, unsetHint(name));
    }
    pos++;
    const name = readName() ?? fail('a name must follow ${');
    let fallback: string | undefined;
    let colon = false;
    if (peek() === ':' && peek(1) === '-') ((colon = true), (pos += 2), (fallback = readWord('}')));
    else if (peek() === '-') (pos++, (fallback = readWord('}')));
    if (peek() !== '}') fail(`unclosed \${${name}`, 'only ${VAR}, ${VAR:-default} and ${VAR-default} are supported');
    pos++;
    const value = lookup(name);
    if (fallback !== undefined && (value === undefined || (colon && value === ''))) return fallback;
    return value ?? fail(`\${${name}} is not set earlier in the file or in the environment`, unsetHint(name));
  };

  const readSingle = (): string => {
    const start = line;
    const end = text.indexOf("'", pos);
    if (end < 0) ((line = start), fail('unclosed single quote'));
    const value = text.slice(pos, end);
    while (pos <= end) advance();
    return value;
  };

  const readDouble = (): string => {
    const start = line;
    let value = '';
    for (;;) {
      const c = peek();
      if (c === undefined) ((line = start), fail('unclosed double quote'));
      if (c === '"') return (pos++, value);
      if (c === '`') fail('command substitution `...` is not supported in a config');
      if (c === '$') (pos++, (value += readReference()));
      else if (c === '\\' && '$`"\\\n'.includes(peek(1) ?? '')) {
        pos++;
        if (peek() !== '\n') value += peek();
        advance();
      } else ((value += c), advance());
    }
  };

  // One shell word, up to unquoted blank/newline (or STOP, for ${VAR:-word}).
  function readWord(stop?: string): string {
    let value = '';
    if (stop === undefined && peek() === '~' && (peek(1) === '/' || peek(1) === undefined || WORD_END.has(peek(1)))) {
      pos++;
      value = env.HOME ?? fail('~ needs HOME to be set');
    }
    for (;;) {
      const c = peek();
      if (c === undefined || c === stop || (stop === undefined && WORD_END.has(c))) return value;
      if (stop === undefined && SHELL_SYNTAX.has(c)) {
        fail(`shell syntax '${c}' is not supported in a config`, 'quote the value if the character is part of it');
      }
      if (c === "'") (pos++, (value += readSingle()));
      else if (c === '"') (pos++, (value += readDouble()));
      else if (c === '$') (pos++, (value += readReference()));
      else if (c === '\\') {
        pos++;
        if (peek() === undefined) return value;
        if (peek() !== '\n') value += peek();
        advance();
      } else ((value += c), pos++);
    }
  }

  while (pos < text.length) {
    skipBlanks();
    if (peek() === '#') {
      while (peek() !== undefined && peek() !== '\n') pos++;
    }
    if (peek() === undefined) break;
    if (peek() === '\n') {
      advance();
      continue;
    }
    const rest = () => text.slice(pos).split('\n')[0];
    let name = readName() ?? fail(`expected KEY=value, found '${rest()}'`);
    const isExport = name === 'export' && (peek() === ' ' || peek() === '\t');
    let previous: string | undefined;
    for (let first = true; ; first = false) {
      if (isExport || !first) {
        skipBlanks();
        if (peek() === undefined || peek() === '\n' || peek() === '#') break;
        const after = previous ? `after the value of ${previous}` : 'after export';
        name = readName() ?? fail(`unexpected '${rest()}' ${after}`, 'quote a value that contains spaces');
        if (previous && peek() !== '=') fail(`unexpected '${name}' ${after}`, 'quote a value that contains spaces');
      }
      if (peek() !== '=') {
        if (isExport && (peek() === undefined || WORD_END.has(peek()))) continue; // `export NAME`: nothing to set
        fail(`expected '=' after ${name}`, 'write KEY=value with no spaces around =');
      }
      pos++;
      lines[name] = line;
      values[name] = readWord();
      previous = name;
    }
  }
  return { values, lines };
}
