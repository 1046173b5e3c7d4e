import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { SYSTEM_CLOCK } from '@csledger/ledger-core'
import type { CliContext } from './context.ts'
import { COMMANDS, buildProgram, selectedCommand } from './program.ts'
import type { Prompter } from './prompter.ts'

/** A context nothing is run with: these tests only build commander trees and read their help. */
function context(): CliContext {
  const refuse = async (): Promise<never> => { throw new Error('no prompts in this test') }
  const prompter: Prompter = { input: refuse, password: refuse, select: refuse, confirm: refuse }
  return { env: {}, stdout: () => {}, stderr: () => {}, interactive: false, clock: SYSTEM_CLOCK, prompter, cwd: '/nonexistent' }
}

/** Every command path under `cmd` with its help text, as commander prints it. */
function helpTexts(cmd: Command, path = ''): Array<[string, string]> {
  return cmd.commands.flatMap((c) => {
    const p = `${path} ${c.name()}`.trim()
    return [[p, c.helpInformation()] as [string, string], ...helpTexts(c, p)]
  })
}

describe('buildProgram for a run that names one command', () => {
  const full = buildProgram(context(), {})
  const names = COMMANDS.flatMap((c) => c.names)

  it('given the whole tree, then COMMANDS lists exactly its top-level commands, in help order', () => {
    expect(names).toEqual(full.commands.map((c) => c.name()))
  })

  it('given each command named alone, then it and each of its subcommands print the same help as in the whole tree', () => {
    const everyPath = new Map(helpTexts(full))
    for (const name of names) {
      const alone = buildProgram(context(), {}, [name, '--json'])
      expect(alone.commands.map((c) => c.name()), name).toContain(name)
      expect(alone.commands.length, name).toBeLessThanOrEqual(2)
      const built = helpTexts(alone).filter(([p]) => p === name || p.startsWith(`${name} `))
      for (const [path, text] of built) expect(text, path).toBe(everyPath.get(path))
    }
  })

  it('given a run that names no command, then the whole tree is built', () => {
    for (const argv of [[], ['--help'], ['-V'], ['help', 'balance'], ['balanse'], ['--db', 'x.db']]) {
      expect(buildProgram(context(), {}, argv).helpInformation(), argv.join(' ')).toBe(full.helpInformation())
    }
  })
})

describe('selectedCommand', () => {
  it('given global options before a command, then that command is selected', () => {
    expect(selectedCommand(['balance', '--json'])).toBe('balance')
    expect(selectedCommand(['--db', 'clinic.db', '--json', '-y', 'balance', '--location', 'SAFE-1'])).toBe('balance')
    expect(selectedCommand(['--db=clinic.db', '--yes', 'user', 'add', 'nkim'])).toBe('user')
    expect(selectedCommand(['--db', 'balance', 'log'])).toBe('log') // --db takes the next argument, whatever it is
    expect(selectedCommand(['restore'])).toBe('restore')
  })

  it('given help, version, an unknown or misplaced word, or an unexpected option first, then nothing is selected', () => {
    for (const argv of [[], ['--help'], ['-h'], ['-V'], ['--version'], ['help', 'balance'], ['balanse'], ['--db'], ['--verbose', 'balance'],
      ['-yV', 'balance'], ['--', 'balance'], ['constructor'], ['__proto__'], ['toString'], ['BALANCE']]) {
      expect(selectedCommand(argv), argv.join(' ')).toBeUndefined()
    }
  })
})
