/**
 * A real terminal for interactive CLI tests: a detached tmux session on a tmux server of its own
 * (`tmux -S <socket in a temp dir>`, removed afterwards), driven with send-keys and read with capture-pane. Every wait is bounded.
 * tmux is required: a missing tmux fails the test instead of skipping it.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export class TmuxSession {
  readonly socket: string
  readonly name = 'csledger'
  /** Every distinct screen seen while waiting, oldest first. */
  readonly screens: string[] = []

  private constructor(socket: string) {
    this.socket = socket
  }

  /** Starts `command` (a shell command line) in a detached 150x45 session. */
  static start(command: string): TmuxSession {
    const v = spawnSync('tmux', ['-V'], { encoding: 'utf8' })
    if (v.status !== 0) throw new Error(`tmux is required for the interactive tests and was not found (${v.error?.message ?? v.stderr}); install it with apt-get install -y tmux`)
    const s = new TmuxSession(join(mkdtempSync(join(tmpdir(), 'csledger-acc-tmux-')), 'socket'))
    s.tmux('-f', '/dev/null', 'new-session', '-d', '-x', '150', '-y', '45', '-s', s.name, command)
    return s
  }

  /** The visible pane, as text. */
  capture(): string {
    const screen = this.tmux('capture-pane', '-p', '-t', this.name)
    if (this.screens.at(-1) !== screen) this.screens.push(screen)
    return screen
  }

  /** Sends keys (tmux key names such as Enter are interpreted; literal text with sendText). */
  sendKeys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys)
  }

  /** Types literal text, then Enter. */
  typeLine(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text)
    this.sendKeys('Enter')
  }

  /** Polls the pane until `pattern` appears; returns the screen. Fails after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = this.capture()
      if (pattern.test(screen)) return screen
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} on the screen:\n${screen}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Stops this session's tmux server (only the one this object started). */
  kill(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' })
    rmSync(dirname(this.socket), { recursive: true, force: true })
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' })
  }
}

/** Quotes a word for a POSIX shell command line. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}
