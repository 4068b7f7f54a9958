// Keeps Dawn's (the WebGPU driver's) native warnings off the `unbiased` command's stderr unless --verbose.
// Dawn prints them from C++ straight to file descriptor 2 while it looks for an adapter, e.g.
//   Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory
//       at operator() (/.../dawn/native/vulkan/BackendVk.cpp:368)
//   <blank line>
// JavaScript cannot redirect that descriptor, so for the commands that may start WebGPU the shim runs the
// CLI in a child process and passes the child's stderr through this filter.

/** Whether `argv` (without node and the script) may start Dawn and --verbose was not given. */
export function mayStartDawn(argv) {
  if (argv.includes('--verbose') || argv.includes('--help') || argv.includes('-h')) return false;
  if (argv[0] === 'backends') return true;
  if (argv[0] !== 'reproduce' && argv[0] !== 'perf') return false;
  for (let index = 1; index < argv.length; index++) {
    const token = argv[index];
    const value = token === '--backend' ? argv[index + 1] : token.startsWith('--backend=') ? token.slice('--backend='.length) : undefined;
    if (value !== undefined) return value === 'webgpu' || value === 'auto' || value === 'all';
  }
  return false;
}

/**
 * A line filter for a text stream: drops each Dawn warning block (a line starting with "Warning: " and the
 * indented " - While ..." / "    at ..." lines and blank line after it); every other line passes unchanged.
 * `push(chunk)` takes text as it comes (lines may be split across chunks); `end()` flushes a last partial line.
 */
export function dawnWarningFilter(write) {
  let pending = '';
  let inBlock = false;
  const line = (text) => {
    if (text.startsWith('Warning: ')) {
      inBlock = true;
      return;
    }
    if (inBlock && (text.trim() === '' || /^\s/.test(text))) return;
    inBlock = false;
    write(`${text}\n`);
  };
  return {
    push(chunk) {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) line(text);
    },
    end() {
      if (pending !== '') {
        const last = pending;
        pending = '';
        if (!(last.startsWith('Warning: ') || (inBlock && /^\s/.test(last)))) write(last);
      }
    },
  };
}
