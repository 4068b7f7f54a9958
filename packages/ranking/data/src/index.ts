export * from './click-models/index.js';
export * from './readers/index.js';
export * from './writers/svmlight-writer.js';
export {
  generateLetorFile,
  letorPerfFile,
  measureParseMemory,
  type ParseMemory,
  parseLetorFile,
  PERF_DOCS_PER_QUERY,
  PERF_FULL_BYTES,
  PERF_NUM_FEATURES,
  perfFileBytes,
  removeLetorPerfFiles,
  splitLetorFile,
  ultrParsePerfSuite,
} from './perf.js';
