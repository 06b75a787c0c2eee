// Standard output as a result channel: a reader that went away (`| head`) ends the printing
// quietly, and a failed write (a full disk, `> /dev/full`) makes the command exit 1 with the
// reason, after it has finished and saved its files (a model file is not lost because a log line
// could not be printed). A closed stdout (`>&-`) cannot be told apart: Node reopens a closed
// standard descriptor on /dev/null at start-up, so it is the same as `> /dev/null`.

let failure: NodeJS.ErrnoException | null = null;
let readerGone = false;

function onError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') readerGone = true;
  else failure ??= e;
}

/** Watch stdout for write errors (one listener per process; the state is per command). */
export function guardStdout(): void {
  failure = null;
  readerGone = false;
  if (!process.stdout.listeners('error').includes(onError)) process.stdout.on('error', onError);
}

/** True once the reader of a pipe has gone away (EPIPE): stop printing. */
export function stdoutClosed(): boolean {
  return readerGone;
}

/** Why writing to stdout failed (other than the reader leaving), or null. */
export function stdoutFailure(): string | null {
  if (failure === null) return null;
  return `cannot write to standard output: ${failure.code === 'ENOSPC' ? 'no space left on device (ENOSPC)' : failure.message}`;
}
