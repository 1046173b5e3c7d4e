import { InputError } from '../errors.ts'

/** A National Drug Code as printed on the package plus its 11-digit (5-4-2) billing form. */
export interface Ndc {
  readonly printed: string
  readonly configuration: '4-4-2' | '5-3-2' | '5-4-1' | '5-4-2' | '6-4-2' | '6-3-2' | '6-4-1'
  readonly ndc11: string
}

/**
 * Parses an NDC written with hyphens. 10-digit forms 4-4-2, 5-3-2 and 5-4-1 are padded to 11
 * digits 5-4-2 by a zero before the short segment; 11-digit 5-4-2 and the future 12-digit forms
 * are accepted as printed. An unhyphenated value is refused: it cannot be split unambiguously.
 *
 * @example
 * parseNdc('0409-2587-05').ndc11 // '00409258705'
 */
export function parseNdc(raw: string): Ndc {
  const printed = String(raw).trim()
  const m = /^(\d{4,6})-(\d{3,4})-(\d{1,2})$/.exec(printed)
  if (!m) {
    throw new InputError('INVALID_NDC', `NDC "${printed.slice(0, 40)}" is not labeler-product-package with hyphens`, {
      hint: 'type the NDC as printed on the vial, e.g. 0409-2587-05 (4-4-2), 70860-600-02 (5-3-2) or 60575-4112-1 (5-4-1)',
    })
  }
  const [, a = '', b = '', c = ''] = m
  const configuration = `${a.length}-${b.length}-${c.length}`
  switch (configuration) {
    case '4-4-2': return { printed, configuration, ndc11: `0${a}${b}${c}` }
    case '5-3-2': return { printed, configuration, ndc11: `${a}0${b}${c}` }
    case '5-4-1': return { printed, configuration, ndc11: `${a}${b}0${c}` }
    case '5-4-2': return { printed, configuration, ndc11: `${a}${b}${c}` }
    case '6-4-2': case '6-3-2': case '6-4-1':
      return { printed, configuration, ndc11: `${a}${b}${c}` }
    default:
      throw new InputError('INVALID_NDC', `NDC "${printed}" has segments ${configuration}; expected 4-4-2, 5-3-2 or 5-4-1`, {
        hint: 'check the NDC printed on the package label',
      })
  }
}
