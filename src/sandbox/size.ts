// Sizes as Podman and Docker write them (16g, 512m, 100000): bytes, or undefined when not a size.
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseSize(text: string): number | undefined {
  const m = /^([0-9]+)([bkmg]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
