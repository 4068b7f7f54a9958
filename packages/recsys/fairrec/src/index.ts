// Everything of the browser entry, plus the MIND file readers (node:fs).
export * from './data/mind-files.js';
export * from './index.browser.js';
