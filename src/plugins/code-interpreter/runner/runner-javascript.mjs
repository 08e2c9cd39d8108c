// QuickJS (a separate JavaScript engine compiled to WebAssembly) inside the sandbox child. The
// guest has no host objects at all: only the console defined by GUEST_PRELUDE.
import { readFileSync } from 'node:fs';

const STACK_BYTES = 1024 * 1024;
const WASM_PAGE = 65536;
const INITIAL_PAGES = 256; // the 16 MiB the QuickJS build starts with

export async function prepareJavaScript(config, forward) {
  const { newQuickJSWASMModule, newVariant, RELEASE_SYNC } = await import('quickjs-emscripten');
  // runtime.setMemoryLimit undercounts in the wasm build (malloc_usable_size is unavailable
  // there, so only a per-allocation overhead is tracked); capping the linear memory itself is
  // what makes allocations fail with "out of memory".
  const maximum = Math.max(INITIAL_PAGES, Math.floor((config.memoryMb * 1024 * 1024) / WASM_PAGE));
  const wasmMemory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
  const quickjs = await newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory }));
  const prelude = readFileSync(new URL('./guest-prelude.js', import.meta.url), 'utf8');
  return (code, deadline) => runGuest({ quickjs, prelude, config, forward }, code, deadline);
}

function runGuest({ quickjs, prelude, config, forward }, code, deadline) {
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(config.memoryMb * 1024 * 1024);
  runtime.setMaxStackSize(STACK_BYTES);
  runtime.setInterruptHandler(() => Date.now() > deadline);
  const vm = runtime.newContext();
  const write = vm.newFunction('write', (streamHandle, textHandle) => {
    forward(vm.getNumber(streamHandle) === 2 ? 'stderr' : 'stdout', vm.getString(textHandle));
  });
  vm.setProp(vm.global, '__sandboxWrite', write);
  const format = vm.unwrapResult(vm.evalCode(prelude, 'prelude.js'));
  const evaluated = vm.evalCode(code, 'main.js');
  if (evaluated.error) return toFailure(vm, evaluated.error);
  const settled = settle(vm, runtime, evaluated.value);
  if (settled.error) return toFailure(vm, settled.error);
  if (vm.typeof(settled.value) === 'undefined') return { ok: true };
  const formatted = vm.callFunction(format, vm.undefined, settled.value);
  if (formatted.error) return toFailure(vm, formatted.error);
  return { ok: true, result: vm.getString(formatted.value).slice(0, config.maxOutputBytes + 1) };
}

// Top-level code may return a promise (async functions, .then chains): run the job queue
// so its value, not "[object Promise]", becomes the result.
function settle(vm, runtime, handle) {
  const jobs = runtime.executePendingJobs();
  if (jobs.error) return { error: jobs.error };
  const state = vm.getPromiseState(handle); // a non-promise counts as fulfilled with itself
  if (state.type === 'rejected') return { error: state.error };
  if (state.type === 'fulfilled') return { value: state.value };
  return { value: handle };
}

function toFailure(vm, errorHandle) {
  const dumped = vm.dump(errorHandle);
  const name = typeof dumped?.name === 'string' ? dumped.name : 'Error';
  const message = typeof dumped?.message === 'string' ? dumped.message : String(dumped);
  const reason = classify(name, message);
  const stack = typeof dumped?.stack === 'string' ? dumped.stack : '';
  return { ok: false, reason, error: `${name}: ${message}`, stderr: `${name}: ${message}\n${stack}` };
}

function classify(name, message) {
  if (name === 'InternalError' && message === 'interrupted') return 'timeout';
  if (/out of memory/i.test(message)) return 'memory';
  return 'error';
}
