/** Each example and a pattern its output must match. */
export const EXAMPLES: Record<string, RegExp>;
