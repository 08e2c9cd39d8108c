// The project's fake Ollama (test/helpers/fake-ollama.ts) in fast mode, run as a child process so the
// bench can measure it on its own. Compiled by tsconfig.bench.json into bench/.build/.
// BENCH_TOKEN_DELAY_MS > 0 makes streams send one line and then wait that long per line (idle streams).
import { startFakeOllama } from '../test/helpers/fake-ollama.js';

const tokenDelayMs = Number(process.env['BENCH_TOKEN_DELAY_MS'] ?? '0');
const fake = await startFakeOllama({ fast: true, tokenDelayMs, record: false });
process.stdout.write(`listening ${new URL(fake.url).port}\n`);
process.on('SIGTERM', () => {
  void fake.close().then(() => process.exit(0));
});
