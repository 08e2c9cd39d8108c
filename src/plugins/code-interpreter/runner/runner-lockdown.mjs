// Closes the host doors of this child process before any untrusted code runs. The runtimes
// (QuickJS, Pyodide) are the first wall; this is the second one, for a bug in the first.
import { constants as fsConstants } from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';

function deny(what) {
  return () => {
    throw new Error(`PermissionError: ${what} is disabled in the sandbox`);
  };
}

const NETWORK_GLOBALS = ['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource', 'Request', 'Response', 'Headers'];

/** Pyodide's NODEFS reads file-flag constants through process.binding at load time; nothing else may. */
export function allowLoaderBindings() {
  process.binding = (name) => {
    if (name === 'constants') return { fs: fsConstants };
    throw new Error(`PermissionError: process.binding('${name}') is disabled in the sandbox`);
  };
}

export function lockDownHost() {
  for (const name of NETWORK_GLOBALS) delete globalThis[name];
  // Pyodide installs a global require (ws, child_process, fs) for its Node glue; emscripten's
  // socket layer calls it to open WebSockets, so a throwing one turns Python connects into OSError.
  globalThis.require = deny('require');
  process.binding = deny('process.binding');
  process._linkedBinding = deny('process._linkedBinding');
  process.dlopen = deny('process.dlopen');
  process.kill = deny('process.kill');
  process._kill = deny('process._kill');
  process.chdir = deny('process.chdir');
  net.Socket.prototype.connect = deny('network access');
  net.Server.prototype.listen = deny('network access');
  for (const method of ['bind', 'connect', 'send']) dgram.Socket.prototype[method] = deny('network access');
}
