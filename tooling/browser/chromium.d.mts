import type { Browser } from 'playwright-core';
export const CHROMIUM: string;
export const CHROMIUM_WEBGPU_FLAGS: string[];
export function chromiumAvailable(): boolean;
export function launchChromium(extraArgs?: string[]): Promise<Browser>;
export function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }>;
