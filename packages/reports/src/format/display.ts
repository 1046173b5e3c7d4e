/** Formatting for printed reports (PDF). CSV and JSON keep the plain decimal strings. */

/** A decimal string with thousands separators: `152350.5` becomes `152,350.5`. */
export function grouped(value: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value)
  if (!m) return value
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`
}

/** A signed decimal string: `+5`, `-5`, `0`. */
export function signed(value: string): string {
  const g = grouped(value)
  return value.startsWith('-') || /^0(\.0*)?$/.test(value) ? g : `+${g}`
}

/** The first characters of a hash, for tight spaces (the full hash is printed in every footer). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12)
}
