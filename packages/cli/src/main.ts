// placeholder replaced by the CLI commit
export async function run(argv: string[]): Promise<number> { process.stdout.write(`csledger ${argv.join(" ")}\n`); return 0 }
