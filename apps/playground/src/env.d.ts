/// <reference types="vite/client" />
declare module 'virtual:unbiased/plugins' {
  /** Every workspace package with a register entry: `load` imports it; `nodeOnly` says why it cannot run here. */
  export const plugins: { name: string; load?: () => Promise<unknown>; nodeOnly?: string }[];
}
