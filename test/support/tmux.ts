import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { CSLEDGER_BIN, toolchainPath } from './cli.ts'

const run = promisify(execFile)
let sessions = 0

/** Single-quotes a word for sh. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * bin/csledger running in a real terminal: a tmux server of its own (private socket, no user
 * config), one 120×40 pane. Keys are typed with send-keys; the screen is read with
 * capture-pane. When the command ends the pane prints `[exit N]` and stays open for reading.
 * Every screen ever read is kept, so a test can assert what was never shown.
 * There is no fallback: if tmux is missing, start() fails (bin/system-deps installs it).
 */
export class TmuxCli {
  readonly socket: string
  readonly screens: string[] = []
  private constructor(socket: string) {
    this.socket = socket
  }

  static async start(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>> }): Promise<TmuxCli> {
    const socket = `csledger-e2e-${process.pid}-${++sessions}`
    const command = `${[CSLEDGER_BIN, ...args].map(shQuote).join(' ')}; echo "[exit $?]"; exec sleep 600`
    const env = { PATH: toolchainPath(), HOME: options.cwd, LANG: 'C.UTF-8', TERM: 'xterm-256color', TZ: 'UTC', ...options.env }
    await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '40', '-s', 'main', '-c', options.cwd, `/bin/sh -c ${shQuote(command)}`], { env, cwd: options.cwd })
    return new TmuxCli(socket)
  }

  /** What the terminal shows now, scroll-back included, lines joined where they wrapped. */
  async screen(): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', '-J', '-S', '-', '-t', 'main'])
    this.screens.push(stdout)
    return stdout
  }

  /** Polls the screen until it matches (every 100 ms, at most `timeoutMs`); returns that screen. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < deadline) {
      last = await this.screen()
      if (pattern.test(last)) return last
      await sleep(100)
    }
    throw new Error(`the terminal never showed ${pattern} within ${timeoutMs} ms; it shows:\n${last}`)
  }

  /** Types text literally (no key names interpreted). */
  async type(text: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'main', '-l', text])
  }

  /** Presses a key by tmux name: Enter, C-c, … */
  async press(key: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', 'main', key])
  }

  /** Answers a prompt: waits for it, types the answer, presses Enter. */
  async answer(prompt: RegExp, text: string): Promise<void> {
    await this.waitFor(prompt)
    await this.type(text)
    await this.press('Enter')
  }

  /** Waits for the command to end and returns its exit code. */
  async exitCode(timeoutMs = 20_000): Promise<number> {
    const screen = await this.waitFor(/\[exit \d+\]/, timeoutMs)
    return Number(/\[exit (\d+)\]/.exec(screen)![1])
  }

  /** Stops this session's own tmux server (never any other). */
  async stop(): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => {})
  }
}
