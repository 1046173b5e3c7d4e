/** The port through which the CLI asks a person for a value. Only used when a person is at a terminal. */
export interface Prompter {
  input(options: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string>
  password(options: { message: string }): Promise<string>
  select<T extends string>(options: { message: string; choices: ReadonlyArray<{ name: string; value: T; description?: string }> }): Promise<T>
  confirm(options: { message: string; default?: boolean }): Promise<boolean>
}
