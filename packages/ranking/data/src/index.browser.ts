// The browser entry of @unbiased/ultr-data (package.json `exports` condition `browser`): everything of
// ./index.ts except what needs Node's file system (the svmlight writer and the `ultr-parse` perf suite's files).
// Readers take bytes, streams or `fromText(...)` here; gzip is decompressed with the browser's DecompressionStream.
export * from './click-models/index.js';
export * from './readers/index.js';
