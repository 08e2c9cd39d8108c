// The code interpreter as the model sees it: the tool it may call and the text it gets back.
// (The plugin that runs the tool loop around the sandbox builds on these.)
import type { ToolDefinition } from '../../core/chat-request.js';
import type { SandboxResult } from './sandbox.js';

export const CODE_INTERPRETER_TOOL: ToolDefinition = {
  name: 'code_interpreter',
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
