export { type ByteSource, fromChunks, fromText } from '#byte-source';
export { type CommonReadOptions, type OnError, QueryReader, type ReadSummary, type SkippedLine } from './lines.js';
export * from './svmlight.js';
export * from './ultra.js';
export { BAIDU_SPECIAL_TOKENS, BAIDU_TOKEN_OFFSET, BAIDU_VOCAB_SIZE, type TokenColumn } from './tokens.js';
export * from './baidu-logs.js';
export * from './baidu-annotations.js';
