// Renders the handlebars templates shipped in oci-templates/ and lua/. Compiled once per process;
// HTML escaping is off because every output is a config file or a script, never HTML.
import fs from 'node:fs';
import Handlebars from 'handlebars';
import { shellQuote } from './shell.js';
import { packageFile } from './package-root.js';

const hb = Handlebars.create();
// {{sh value}}: one shell word, quoted as needed.
hb.registerHelper('sh', (value: unknown) => shellQuote(String(value)));
// {{json value}}: a JSON literal (also a valid Lua/JS string literal for plain strings).
hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const compiled = new Map<string, Handlebars.TemplateDelegate>();

// Renders the template at RELATIVE (to the package root) with DATA.
export function render(relative: string, data: object): string {
  let template = compiled.get(relative);
  if (!template) {
    template = hb.compile(fs.readFileSync(packageFile(relative), 'utf8'), { noEscape: true, strict: true });
    compiled.set(relative, template);
  }
  return template(data);
}
