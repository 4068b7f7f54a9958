// Browser side-effect entry (package.json `exports` condition `browser`): the `ultr-parse` perf suite generates
// and reads files on disk, so nothing is registered here; the entry exists so discovery finds the package.
export {};
