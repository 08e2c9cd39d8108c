// Entry point of one sandbox child process (spawned by sandbox-child.ts). Lifecycle: load the
// runtime → lock the host down → report "ready" → read one job from stdin → run it → report
// "done" → exit. One child runs exactly one job, so nothing leaks from one run to the next.
import { readFileSync } from 'node:fs';
import { createOutputForwarder, sendMessage } from './runner-output.mjs';
import { lockDownHost } from './runner-lockdown.mjs';

// Anything a library logs must not corrupt the protocol on fd 1.
console.log = console.info = console.debug = console.warn = console.error;

const SETTLE_MS = 50;
const config = JSON.parse(process.argv[2] ?? '{}');

async function prepare(forward) {
  if (config.language === 'python') {
    const { preparePython } = await import('./runner-python.mjs');
    return preparePython(config, forward);
  }
  const { prepareJavaScript } = await import('./runner-javascript.mjs');
  return prepareJavaScript(config, forward);
}

function readJob() {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end === -1) return;
      process.stdin.pause();
      resolve(JSON.parse(text.slice(0, end)));
    });
  });
}

// Launch probe: this process could start with the chosen flags/user and read the runtimes.
function checkAccess() {
  for (const name of ['pyodide', 'quickjs-emscripten']) readFileSync(new URL(import.meta.resolve(name)));
}

async function main() {
  if (config.language === 'check') return checkAccess();
  const forward = createOutputForwarder(config.maxOutputBytes);
  const execute = await prepare(forward);
  lockDownHost();
  sendMessage({ type: 'ready' });
  const job = await readJob();
  const outcome = execute(job.code, Date.now() + job.timeoutMs);
  // Give host callbacks the code may have queued (a socket a runtime opens lazily, say) a turn
  // of the event loop now, so that they run into the lockdown instead of being cut off by exit.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  if (outcome.stderr) forward('stderr', outcome.stderr);
  const { stderr: _traceback, ...done } = outcome;
  // An exception message is as long as the code wants it to be.
  if (done.error) done.error = done.error.slice(0, config.maxOutputBytes + 1);
  sendMessage({ type: 'done', ...done });
}

main().then(
  () => process.exit(0),
  (error) => {
    sendMessage({ type: 'fatal', error: String(error?.message ?? error).split('\n')[0] });
    process.exit(1);
  },
);
