// Peak memory and throughput of readSvmlight at two file sizes, plus the string.split floor.
// Usage (from packages/ranking/data): pnpm build && node --expose-gc scripts/parse-memory.mjs [MB ...]
import { letorPerfFile, measureParseMemory, parseLetorFile, splitLetorFile } from '../dist/index.js';

const sizes = (process.argv.length > 2 ? process.argv.slice(2).map(Number) : [50, 200]).map((mb) => mb * 1_000_000);
const mb = (bytes) => (bytes / 1e6).toFixed(1);

for (const result of await measureParseMemory(sizes)) {
  console.log(
    `parse ${mb(result.bytes)} MB: peak rss +${mb(result.peakRssDeltaBytes)} MB, peak heap +${mb(result.peakHeapDeltaBytes)} MB, ` +
      `${result.documents} documents, ${(result.bytes / result.seconds / 1e6).toFixed(0)} MB/s`,
  );
}
for (const size of sizes) {
  const file = await letorPerfFile(size);
  const time = async (fn) => {
    const start = performance.now();
    await fn(file.path);
    return (performance.now() - start) / 1000;
  };
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push({ split: await time(splitLetorFile), parse: await time(parseLetorFile) });
  const best = (key) => Math.min(...runs.map((run) => run[key]));
  console.log(
    `throughput ${mb(file.bytes)} MB (best of 3): readSvmlight ${(file.bytes / best('parse') / 1e6).toFixed(0)} MB/s, ` +
      `string.split floor ${(file.bytes / best('split') / 1e6).toFixed(0)} MB/s, ratio ${(best('split') / best('parse')).toFixed(2)}x`,
  );
}
