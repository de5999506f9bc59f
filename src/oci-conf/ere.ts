// Does a POSIX extended regex compile under glibc's regcomp(REG_EXTENDED)? Slurm compiles
// EnvExclude and RunTimeEnvExclude that way and rejects the whole oci.conf when it fails.
// JavaScript's RegExp differs (classes, braces, context rules), so this follows glibc's rules for
// RE_SYNTAX_POSIX_EXTENDED: an operator with nothing before it is an error, a lone `)` is literal.

const CLASSES = new Set([
  'alpha',
  'upper',
  'lower',
  'digit',
  'xdigit',
  'space',
  'print',
  'punct',
  'graph',
  'cntrl',
  'blank',
  'alnum',
]);

// Reads a bracket expression starting after `[` at I; returns the index after `]` or an error.
function bracket(re: string, i: number): number | string {
  if (re[i] === '^') i++;
  let first = true;
  let prev: string | undefined;
  for (; i < re.length; first = false) {
    const c = re[i];
    if (c === ']' && !first) return i + 1;
    if (c === '[' && /[:.=]/.test(re[i + 1] ?? '')) {
      const close = re.indexOf(`${re[i + 1]}]`, i + 2);
      if (close < 0) return 'unmatched [, [^, [:, [., or [=';
      if (re[i + 1] === ':' && !CLASSES.has(re.slice(i + 2, close)))
        return `invalid character class name: ${re.slice(i + 2, close)}`;
      i = close + 2;
      prev = undefined;
      continue;
    }
    if (c === '-' && prev !== undefined && re[i + 1] !== undefined && re[i + 1] !== ']') {
      if (re[i + 1] === '[' || re[i + 1] < prev) return `invalid range end: ${prev}-${re[i + 1]}`;
      i += 2;
      prev = undefined;
      continue;
    }
    prev = c;
    i++;
  }
  return 'unmatched [, [^, [:, [., or [=';
}

// Null when RE compiles, else glibc's complaint in words.
export function ereError(re: string): string | null {
  let depth = 0;
  let groups = 0;
  let canRepeat = false; // is there an atom for `*`, `+`, `?` or `{m,n}` to apply to?
  for (let i = 0; i < re.length;) {
    const c = re[i];
    if (c === '\\') {
      if (i + 1 >= re.length) return 'trailing backslash';
      if (/[1-9]/.test(re[i + 1]) && Number(re[i + 1]) > groups) return 'invalid back reference';
      i += 2;
      canRepeat = true;
    } else if (c === '[') {
      const end = bracket(re, i + 1);
      if (typeof end === 'string') return end;
      i = end;
      canRepeat = true;
    } else if (c === '(') {
      depth++;
      i++;
      canRepeat = false;
    } else if (c === ')' && depth > 0) {
      depth--;
      groups++;
      i++;
      canRepeat = true;
    } else if (c === '|' || c === '^' || c === '$') {
      i++;
      canRepeat = false;
    } else if (c === '*' || c === '+' || c === '?') {
      if (!canRepeat) return 'invalid preceding regular expression';
      i++;
    } else if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(re.slice(i));
      if (!re.slice(i).includes('}')) return 'unmatched \\{';
      if (!m || (m[1] === '' && m[2] === undefined)) return 'invalid content of \\{\\}';
      if (!canRepeat) return 'invalid preceding regular expression';
      if (m[3] && Number(m[3]) < Number(m[1])) return 'invalid content of \\{\\}';
      if (Number(m[3] || m[1]) > 0x7fff) return 'regular expression too big';
      i += m[0].length;
    } else {
      i++;
      canRepeat = true;
    }
  }
  return depth > 0 ? 'unmatched ( or \\(' : null;
}
