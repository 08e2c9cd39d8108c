import { parseArgs } from 'node:util';
import { formatBytes } from '../model-admin/memory-limit.js';
import { CliUsageError, PROGRAM, parseOrUsage, type CliCommand, type CliContext } from './cli-command.js';
import { formatTable } from './format-table.js';
import { createProgressRenderer } from './progress-bar.js';
import { locateServer } from './cli-locations.js';
import { createProxyClient } from './proxy-client.js';

// `models list|pull|load|unload` talk to a running proxy's operations API over HTTP (unlike `keys`, which opens
// the store): loading needs the proxy's view of Ollama, and an admin key keeps the same access rules as curl.

type Json = Record<string, unknown>;

const CONNECTION = `  --url URL           the proxy (default: PROXY_URL, else the server's HOST and PORT, else http://127.0.0.1:8000)
  --key KEY           an admin key (default: PROXY_KEY, else MASTER_KEY)
  --json              print JSON for scripts
  -h, --help          show this help`;

const HELP = `Usage: ${PROGRAM} models <list|pull|load|unload> [NAME] [options]

Manages the models of the Ollama behind a running proxy, through its admin API (scope admin).

  models list                          installed models, context length, whether loaded and VRAM use
  models pull NAME                     download a model, with a progress bar
  models load NAME [load options]      pull if missing, then load it (GPU, layers, memory limit)
  models unload NAME                   free its memory now (the files stay installed)

Load options:
  --gpu N             main GPU (Ollama's main_gpu)
  --num-gpu N         layers to offload to the GPU, as given
  --memory-limit SIZE GPU memory for the model, e.g. 8G, 512M, or 50% of the model's size;
                      the proxy derives the layer count from it
  --keep-alive DUR    how long it stays loaded, e.g. 30m; --keep-alive=-1 keeps it forever

Connection:
${CONNECTION}`;

const OPTIONS = {
  url: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' },
  gpu: { type: 'string' }, 'num-gpu': { type: 'string' }, 'memory-limit': { type: 'string' }, 'keep-alive': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseOrUsage('models', () => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }), [...Object.keys(OPTIONS), 'help']);
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliUsageError(`--${flag} must be a whole number.`, 'models');
  return Number(value);
}

function keepAlive(value: string | undefined): string | number | undefined {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : value;
}

function print(context: CliContext, values: Values, data: unknown, human: () => string): void {
  context.io.stdout(`${values.json === true ? JSON.stringify(data, null, 2) : human()}\n`);
}

function formatModels(models: Json[]): string {
  if (models.length === 0) return 'No models installed. Pull one with: models pull deepseek-r1:7b';
  return formatTable(
    ['NAME', 'SIZE', 'CONTEXT', 'CAPABILITIES', 'LOADED', 'VRAM'],
    models.map((model) => [
      String(model.name), typeof model.size_bytes === 'number' ? formatBytes(model.size_bytes) : '-',
      String(model.context_length ?? '-'), (model.capabilities as string[]).join(','), model.loaded === true ? 'yes' : 'no',
      typeof model.vram_bytes === 'number' ? formatBytes(model.vram_bytes) : '-',
    ]),
  );
}

function describeResult(result: Json): string {
  const name = String(result.model);
  if (result.loaded !== true) return result.pulled === true ? `Pulled ${name}.` : `${name} is already installed.`;
  const decision = result.decision as { reason?: string } | null;
  const gpu = result.gpu_id === null ? '' : ` on GPU ${String(result.gpu_id)}`;
  const layers = result.num_gpu === null ? '' : ` with num_gpu ${String(result.num_gpu)}`;
  return `${result.pulled === true ? 'Pulled and loaded' : 'Loaded'} ${name}${gpu}${layers}.\n${decision?.reason ?? ''}`.trimEnd();
}

async function deploy(context: CliContext, values: Values, body: Json): Promise<number> {
  const client = clientFor(context, values);
  const progress = createProgressRenderer(context.io.stderr);
  let result: Json | undefined;
  try {
    for await (const line of client.lines('POST', '/api/v1/models', { ...body, stream: true })) {
      if (line.status === 'done') result = line.result as Json;
      else progress.step(line as { status: string });
    }
  } finally {
    progress.end();
  }
  if (!result) throw new Error('the proxy ended the stream without a result');
  print(context, values, result, () => describeResult(result));
  return 0;
}

function clientFor(context: CliContext, values: Values) {
  const env = context.io.env;
  const server = locateServer(env, values.url);
  context.io.stderr(`Proxy: ${server.url} (${server.source === 'default' ? 'the default; set PROXY_URL or --url' : `from ${server.source}`})\n`);
  return createProxyClient({ url: server.url, key: values.key ?? env.PROXY_KEY ?? env.MASTER_KEY });
}

function oneName(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new CliUsageError(`'models ${sub}' takes exactly one model name (got ${positionals.length}).`, 'models');
  return positionals[0]!;
}

const SUBCOMMANDS: Record<string, (positionals: string[], values: Values, context: CliContext) => Promise<number>> = {
  async list(positionals, values, context) {
    if (positionals.length > 0) throw new CliUsageError("'models list' takes no arguments.", 'models');
    const { data } = (await clientFor(context, values).json('GET', '/api/v1/models')) as { data: Json[] };
    print(context, values, data, () => formatModels(data));
    return 0;
  },
  pull: (positionals, values, context) => deploy(context, values, { model_name: oneName(positionals, 'pull'), load: false }),
  load(positionals, values, context) {
    const body: Json = { model_name: oneName(positionals, 'load') };
    const gpu = integer(values.gpu, 'gpu');
    const numGpu = integer(values['num-gpu'], 'num-gpu');
    if (gpu !== undefined) body.gpu_id = gpu;
    if (numGpu !== undefined) body.num_gpu = numGpu;
    if (values['memory-limit'] !== undefined) body.memory_limit = values['memory-limit'];
    if (values['keep-alive'] !== undefined) body.keep_alive = keepAlive(values['keep-alive']);
    return deploy(context, values, body);
  },
  async unload(positionals, values, context) {
    const name = oneName(positionals, 'unload');
    const result = await clientFor(context, values).json('DELETE', `/api/v1/models/${name.split('/').map(encodeURIComponent).join('/')}`);
    print(context, values, result, () => (result.was_loaded === true ? `Unloaded ${name}.` : `${name} was not loaded.`));
    return 0;
  },
};

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list, pull, load (GPU, memory limit) and unload models via a running proxy',
  async run(args, context) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help' || rest.includes('--help') || rest.includes('-h')) {
      (name === undefined ? context.io.stderr : context.io.stdout)(`${HELP}\n`);
      return name === undefined ? 2 : 0;
    }
    const subcommand = SUBCOMMANDS[name];
    if (subcommand === undefined) throw new CliUsageError(`Unknown subcommand 'models ${name}'.`, 'models');
    const { values, positionals } = parse(rest);
    return subcommand(positionals, values, context);
  },
};
