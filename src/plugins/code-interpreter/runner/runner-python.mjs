// Pyodide (CPython compiled to WebAssembly) inside the sandbox child. Python only sees
// Pyodide's in-memory file system; no host directory is mounted.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allowLoaderBindings } from './runner-lockdown.mjs';

const WASM_PAGE = 65536;
const ENOSPC = 51; // emscripten's errno numbering

// Pyodide creates its linear memory with a 4 GiB maximum. A lower maximum makes malloc fail,
// which CPython raises as MemoryError instead of the process growing without bound.
async function withWasmMemoryCap(maxBytes, load) {
  const Original = WebAssembly.Memory;
  function CappedMemory(descriptor) {
    if (descriptor.shared) return new Original(descriptor);
    const maximum = Math.max(descriptor.initial, Math.floor(maxBytes / WASM_PAGE));
    return new Original({ ...descriptor, maximum });
  }
  CappedMemory.prototype = Original.prototype;
  WebAssembly.Memory = CappedMemory;
  try {
    return await load();
  } finally {
    WebAssembly.Memory = Original;
  }
}

// Files written in Python live in JavaScript buffers outside the wasm heap, so they get their
// own budget: the in-memory disk may hold at most as much as the memory limit.
function limitVirtualDisk(pyodide, maxBytes) {
  const memfs = pyodide.FS.filesystems.MEMFS;
  const expand = memfs.expandFileStorage;
  let used = 0;
  memfs.expandFileStorage = function (node, capacity) {
    const before = node.contents ? node.contents.length : 0;
    if (used + capacity - before > maxBytes) throw new pyodide.FS.ErrnoError(ENOSPC);
    expand.call(this, node, capacity);
    used += (node.contents ? node.contents.length : 0) - before;
  };
}

function streamTo(forward, stream) {
  const decoder = new TextDecoder();
  return {
    write(bytes) {
      forward(stream, decoder.decode(bytes, { stream: true }));
      return bytes.length;
    },
  };
}

export async function preparePython(config, forward) {
  allowLoaderBindings();
  const { loadPyodide } = await import('pyodide');
  const indexURL = fileURLToPath(new URL('.', import.meta.resolve('pyodide')));
  const memoryBytes = config.memoryMb * 1024 * 1024;
  const discard = () => {};
  const pyodide = await withWasmMemoryCap(memoryBytes, () =>
    loadPyodide({ indexURL, jsglobals: Object.create(null), env: { HOME: '/home/pyodide' }, stdout: discard, stderr: discard }),
  );
  pyodide.setStdout(streamTo(forward, 'stdout'));
  pyodide.setStderr(streamTo(forward, 'stderr'));
  pyodide.setStdin({ error: true });
  const prelude = readFileSync(new URL('./sandbox_prelude.py', import.meta.url), 'utf8');
  const runInPython = pyodide.runPython(prelude, { globals: pyodide.runPython('dict()'), filename: '<sandbox-prelude>' });
  pyodide.unregisterJsModule('js');
  pyodide.unregisterJsModule('pyodide_js');
  limitVirtualDisk(pyodide, memoryBytes);
  return (code) => toOutcome(runInPython, code, config.maxOutputBytes);
}

function toOutcome(runInPython, code, reprLimit) {
  let reply;
  try {
    const proxy = runInPython(code, reprLimit);
    reply = proxy.toJs();
    proxy.destroy();
  } catch (error) {
    // A fatal interpreter error (wasm trap, memory exhaustion in the runtime itself).
    const message = String(error?.message ?? error);
    const isMemory = /memory|Cannot enlarge/i.test(message);
    return { ok: false, reason: isMemory ? 'memory' : 'error', error: message.split('\n')[0] };
  }
  const [ok, result, traceback, summary, errorType] = reply;
  if (ok) return result == null ? { ok: true } : { ok: true, result };
  return {
    ok: false,
    reason: errorType === 'MemoryError' ? 'memory' : 'error',
    error: summary,
    ...(traceback ? { stderr: traceback } : {}),
  };
}
