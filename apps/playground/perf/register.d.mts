// Side-effect entry: registers the `playground` perf suite (see register.mjs).
export {};
