/** One file of a built app with its size and gzip size in bytes. */
export interface BuiltFile {
  file: string;
  bytes: number;
  gzip: number;
}
export function buildApp(configFile: string, outDir: string): Promise<BuiltFile[]>;
export function initialScripts(outDir: string): string[];
