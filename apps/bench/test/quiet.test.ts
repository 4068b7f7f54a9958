import { describe, expect, it } from 'vitest';
// The shim's helpers are plain JavaScript next to it (bin/), so they run without a build.
import { dawnWarningFilter, mayStartDawn } from '../bin/quiet.js';

function filtered(chunks: string[]): string {
  let out = '';
  const filter = dawnWarningFilter((text: string) => {
    out += text;
  });
  for (const chunk of chunks) filter.push(chunk);
  filter.end();
  return out;
}

// Dawn's output as it appears on a machine without Vulkan or EGL (copied from a real run of `webgpu` 0.6.2).
const dawn = [
  "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory",
  '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)',
  '',
  'Warning: eglInitialize failed with EGL_NOT_INITIALIZED',
  ' - While trying to discover a BackendType::OpenGLES adapter.',
  '    at CheckEGL (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/opengl/UtilsEGL.cpp:89)',
  '',
].join('\n');

describe('dawnWarningFilter', () => {
  it("drops Dawn's warning blocks and keeps every other line, however the text is split into chunks", () => {
    const text = `[backends] probing\n${dawn}\nbackend  starts\n  indented line kept\n(node:1) Warning: a Node warning is kept\nlast`;
    const expected = '[backends] probing\nbackend  starts\n  indented line kept\n(node:1) Warning: a Node warning is kept\nlast';
    expect(filtered([text])).toBe(expected);
    const characters = [...text];
    expect(filtered(characters)).toBe(expected);
    for (const size of [3, 17, 64]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, index) => text.slice(index * size, (index + 1) * size));
      expect(filtered(chunks)).toBe(expected);
    }
  });

  it('keeps everything when there is no Dawn warning', () => {
    expect(filtered(['a\n', '\n', '  b\n'])).toBe('a\n\n  b\n');
  });
});

describe('mayStartDawn', () => {
  it('is true for the commands that may start WebGPU, false with --verbose or help', () => {
    expect(mayStartDawn(['backends'])).toBe(true);
    expect(mayStartDawn(['backends', '--json'])).toBe(true);
    expect(mayStartDawn(['reproduce', '--all', '--backend', 'webgpu'])).toBe(true);
    expect(mayStartDawn(['perf', 'x', '--backend=all'])).toBe(true);
    expect(mayStartDawn(['reproduce', '--all', '--backend', 'auto'])).toBe(true);
    expect(mayStartDawn(['reproduce', '--all'])).toBe(false);
    expect(mayStartDawn(['reproduce', '--all', '--backend', 'wasm'])).toBe(false);
    expect(mayStartDawn(['list', '--json'])).toBe(false);
    expect(mayStartDawn(['backends', '--verbose'])).toBe(false);
    expect(mayStartDawn(['backends', '--help'])).toBe(false);
  });
});
