/** csledger's version (printed by --version and in internal-error reports). */
export const VERSION = '0.1.0'
