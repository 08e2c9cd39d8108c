// The code interpreter as the model sees it: the tool it may call and the text it gets back,
// and the plugin that runs those calls in the sandbox (run-plugins.ts drives the tool loop).
import { z } from 'zod';
import type { ToolCall, ToolDefinition } from '../../core/chat-request.js';
import { definePlugin, type ProxyPlugin, type ToolOutput } from '../plugin.js';
import { showCodeRun, type CodeRunShow } from './show-code-run.js';
import type { Sandbox, SandboxLanguage, SandboxResult } from './sandbox.js';

export const CODE_INTERPRETER = 'code_interpreter';

export const CODE_INTERPRETER_TOOL: ToolDefinition = {
  name: CODE_INTERPRETER,
  description:
    'Runs a short Python or JavaScript program in an isolated sandbox and returns what it printed ' +
    'and the value of its last expression. No network, no files from the host, no packages beyond ' +
    'the standard library; each call starts from a clean interpreter, so nothing is kept between calls. ' +
    'Time and memory are limited.',
  parameters: {
    type: 'object',
    properties: {
      language: { type: 'string', enum: ['python', 'javascript'], description: 'Language of the code.' },
      code: { type: 'string', description: 'The complete program to run.' },
    },
    required: ['language', 'code'],
    additionalProperties: false,
  },
};

function section(title: string, body: string | undefined): string[] {
  if (body === undefined || body === '') return [];
  return [`${title}:`, body.endsWith('\n') ? body.slice(0, -1) : body];
}

/** The tool message fed back to the model after a run. */
export function formatToolResult(result: SandboxResult): string {
  const status = result.ok ? 'status: ok' : `status: error: ${result.error ?? 'unknown error'}`;
  const parts = [
    status,
    ...section('stdout', result.stdout),
    ...section('stderr', result.stderr),
    ...section('result', result.result),
  ];
  if (parts.length === 1 && result.ok) parts.push('(no output)');
  return parts.join('\n');
}

export interface CodeInterpreterPluginOptions {
  sandbox: Sandbox;
  /** How the client sees each run: as reasoning, as a fenced block in the content, or not at all. */
  show: CodeRunShow;
}

const LANGUAGE_NAMES: Record<string, SandboxLanguage> = { python: 'python', py: 'python', javascript: 'javascript', js: 'javascript' };

// Models get arguments wrong now and then; a clear tool result lets them fix the call on the next round.
const argumentsSchema = z.object({
  language: z
    .string()
    .transform((name) => LANGUAGE_NAMES[name.trim().toLowerCase()])
    .refine((language) => language !== undefined, 'language must be "python" or "javascript"')
    .default('python'),
  code: z.string().min(1, 'code must not be empty'),
});

export function createCodeInterpreterPlugin(options: CodeInterpreterPluginOptions): ProxyPlugin {
  return definePlugin({
    name: CODE_INTERPRETER,
    tools: [CODE_INTERPRETER_TOOL],
    async runTool(call: ToolCall, ctx): Promise<ToolOutput> {
      const input = parseArguments(call.argumentsJson);
      if (typeof input === 'string') return { content: `status: error: invalid arguments: ${input}` };
      const language = input.language ?? 'python';
      const result = await options.sandbox.run({ language, code: input.code, signal: ctx.signal });
      // peakProcesses: the most sandbox processes alive at once so far (bounded by CODE_INTERPRETER_MAX_CONCURRENT).
      const stats = options.sandbox.stats?.();
      ctx.logger.info('code interpreter run', {
        language, ok: result.ok, durationMs: result.durationMs, truncated: result.truncated,
        ...(stats ? { processes: stats.live, peakProcesses: stats.peakLive } : {}),
      });
      const content = formatToolResult(result);
      const display = showCodeRun(options.show, language, input.code, content);
      return display ? { content, display } : { content };
    },
    close: () => options.sandbox.close(),
  });
}

function parseArguments(argumentsJson: string): z.output<typeof argumentsSchema> | string {
  let value: unknown;
  try {
    value = JSON.parse(argumentsJson);
  } catch {
    return 'arguments are not valid JSON';
  }
  const parsed = argumentsSchema.safeParse(value);
  return parsed.success ? parsed.data : parsed.error.issues.map((issue) => issue.message).join('; ');
}
