/** Whether `argv` (without node and the script) may start Dawn and --verbose was not given. */
export function mayStartDawn(argv: readonly string[]): boolean;
/** A line filter that drops Dawn's native warning blocks from a text stream (see quiet.js). */
export function dawnWarningFilter(write: (text: string) => unknown): { push(chunk: string): void; end(): void };
