/**
 * Characters that must never reach a terminal raw when they come from user input or the ledger:
 * C0 and C1 controls (ESC starts terminal escape sequences that can clear the screen, set the
 * window title or hide text), DEL, line and paragraph separators (a newline inside a reason would
 * forge an extra row in `csledger log`), and bidirectional overrides (they reorder what is shown).
 */
const UNSAFE_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Text made safe to print for people: every unsafe character is shown as a visible escape
 * (`\n`, `\t`, `\u001b`), so what is on screen is exactly what is stored, one line per line.
 * The JSON output needs no such treatment (JSON.stringify escapes controls itself).
 *
 * @example
 * printable('line1\n#99 forged') // 'line1\\n#99 forged'
 */
export function printable(text: string): string {
  return text.replace(UNSAFE_RE, (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
