// Reads oci.conf the way Slurm's generic parser does (src/common/parse_config.c): `#` starts a
// comment anywhere (even inside quotes) unless escaped by an odd number of `\`; a line ending in an
// odd number of `\` continues; then every `\` is dropped and the next character taken literally;
// then `Key=value` pairs are matched with Slurm's own regex, several per line allowed.
import { CREATE_ENV_FILE_WORDS, FALSE_WORDS, findKey, TRUE_WORDS } from './keys.js';

// One `Key=value` as Slurm sees it; KEY is canonical for known keys, as written otherwise.
export type Entry = { line: number; key: string; value: string; quoted: boolean };

// Something Slurm's parser trips on; KIND lets the linter choose the severity.
export type ParseProblem = {
  line: number;
  key?: string;
  kind: 'unknown-key' | 'unterminated-quote' | 'comment-cuts-value' | 'syntax' | 'include';
  message: string;
  fix?: string;
};

// Entries in file order, and the problems met on the way.
export type ScannedFile = { entries: Entry[]; problems: ParseProblem[] };

// The model of a file: canonical key -> value (booleans as booleans, SrunArgs as a list).
export type OciConf = Record<string, string | boolean | string[]>;

// Slurm's key regex (parse_config.c), with POSIX classes spelled for JavaScript.
const PAIR = /^\s*([A-Za-z0-9_.]+)\s*([-*+/]?)=\s*(("([^"]*)")|([^\s]+))(\s|$)/;

// Cuts LINE at the first `#` preceded by an even number of backslashes (_strip_comments).
function stripComment(line: string): { text: string; cut: number } {
  let backslashes = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && backslashes % 2 === 0) return { text: line.slice(0, i), cut: i };
    backslashes = line[i] === '\\' ? backslashes + 1 : 0;
  }
  return { text: line, cut: -1 };
}

// Removes a continuation (an odd run of trailing backslashes, spaces after it allowed); null if none.
function stripContinuation(text: string): string | null {
  let i = text.length - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  let backslashes = 0;
  while (i - backslashes >= 0 && text[i - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 1 ? text.slice(0, i) : null;
}

// Drops every backslash and keeps the character after it (_strip_escapes).
const stripEscapes = (text: string): string => text.replace(/\\(.?)/gs, '$1');

// True when a comment cut just after TEXT (escapes not yet stripped) falls inside a value, not after one.
function cutsValue(text: string): boolean {
  const quotes = (stripEscapes(text).match(/"/g) ?? []).length;
  if (quotes % 2 === 1) return true;
  const before = text.at(-1);
  const token = text.split(/\s/).at(-1) ?? '';
  return before !== undefined && !/\s|"/.test(before) && token.includes('=');
}

// Matches the pairs of one logical line (s_p_parse_line); returns entries and at most one problem.
function parseLine(text: string, line: number, out: ScannedFile): void {
  if (/^\s*include\s/i.test(text)) {
    out.problems.push({
      line,
      kind: 'include',
      message: `\`${text.trim()}\` is not followed by this linter`,
      fix: 'lint the included file on its own',
    });
    return;
  }
  let rest = text;
  let last: { key: string; value: string; quoted: boolean } | undefined;
  for (let m = PAIR.exec(rest); m; m = PAIR.exec(rest)) {
    const spec = findKey(m[1]);
    if (!spec) {
      out.problems.push({
        line,
        key: m[1],
        kind: 'unknown-key',
        message: `unknown key \`${m[1]}\` (Slurm: "Parsing error at unrecognized key")`,
        fix: 'use one of the RunTime*/ContainerPath/... keys of oci.conf(5); the names are case-insensitive',
      });
      return;
    }
    last = { key: spec.name, value: m[5] ?? m[6], quoted: m[5] !== undefined };
    out.entries.push({ line, ...last });
    rest = rest.slice(m[0].length);
  }
  const openQuote = last && !last.quoted && last.value.startsWith('"');
  if (openQuote && last) {
    out.problems.push({
      line,
      key: last.key,
      kind: 'unterminated-quote',
      message: `unterminated quote in the value of ${last.key}: Slurm reads it as \`${last.value}\`${rest.trim() ? ' and rejects the rest of the line ("Parsing error at unrecognized key")' : ', a broken command'}`,
      fix: 'close the double quote on the same line (or end the line with `\\` to continue it)',
    });
  } else if (rest.trim()) {
    out.problems.push({
      line,
      kind: 'syntax',
      message: `cannot read \`${rest.trim()}\` as Key=value (Slurm: "Parsing error at unrecognized key")`,
      fix: 'write Key=value or Key="value with spaces"; a value cannot contain a double quote',
    });
  }
}

// Scans TEXT into entries and the problems Slurm's parser would hit, with line numbers.
export function scanOciConf(text: string): ScannedFile {
  const out: ScannedFile = { entries: [], problems: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length;) {
    const start = i + 1;
    let buffer = '';
    let cutLine = 0;
    for (;;) {
      const { text: kept, cut } = stripComment(lines[i++]);
      if (cut >= 0 && !cutLine && cutsValue(buffer + kept)) cutLine = i;
      const continued = stripContinuation(kept);
      if (continued === null || i >= lines.length) {
        buffer += continued ?? kept;
        break;
      }
      buffer += continued;
    }
    const before = out.problems.length;
    parseLine(stripEscapes(buffer), start, out);
    if (cutLine) {
      out.problems.splice(before);
      const entry = out.entries.at(-1);
      out.problems.push({
        line: cutLine,
        key: entry?.line === start ? entry.key : undefined,
        kind: 'comment-cuts-value',
        message: 'a `#` cuts this value: Slurm treats everything after it as a comment',
        fix: 'escape it as `\\#`',
      });
    }
  }
  return out;
}

// Normalizes one raw value of KEY for the model; values Slurm would reject stay strings.
function modelValue(key: string, raw: string): string | boolean {
  const kind = findKey(key)?.kind;
  const word = raw.toLowerCase();
  if (kind === 'boolean') return TRUE_WORDS.includes(word) ? true : FALSE_WORDS.includes(word) ? false : raw;
  if (kind === 'createEnvFile') {
    const hit = Object.entries(CREATE_ENV_FILE_WORDS).find(([, words]) => words.includes(word));
    return hit ? hit[0] : raw;
  }
  return raw;
}

// The model of TEXT: last value wins, SrunArgs accumulate (as in Slurm).
export function parseOciConf(text: string): OciConf {
  const conf: OciConf = {};
  for (const { key, value } of scanOciConf(text).entries) {
    if (key === 'SrunArgs') conf.SrunArgs = [...((conf.SrunArgs as string[] | undefined) ?? []), value];
    else conf[key] = modelValue(key, value);
  }
  return conf;
}
