const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Decodes standard base64 (RFC 4648 §4) strictly: padding required, no whitespace, no stray
 * characters, canonical trailing bits. Node's Buffer.from(s, 'base64') silently skips what it does
 * not understand, which a verifier must not do. Returns undefined when `s` is not strict base64.
 */
export function decodeStrictBase64(s: string): Buffer | undefined {
  if (!BASE64.test(s)) return undefined
  const bytes = Buffer.from(s, 'base64')
  return bytes.toString('base64') === s ? bytes : undefined
}
