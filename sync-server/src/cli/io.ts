/**
 * Where a command writes: one line at a time to the output and to the errors. Commands take an `Io`
 * instead of touching process.stdout, so tests run them in-process and read what they printed.
 * A leaf module: every command imports it, and it imports nothing.
 */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The process's own standard output and error. */
export const stdio: Io = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };
