import type { ToolRunDisplay } from '../plugin.js';
import type { SandboxLanguage } from './sandbox.js';

export type CodeRunShow = 'reasoning' | 'content' | 'none';

/**
 * What the client sees of one run (config plugins.codeInterpreter.show). 'content' is Markdown: the code
 * in a ```python / ```javascript fence, then the tool result in a ```text fence; 'reasoning' is the same
 * text as plain lines in the reasoning stream (reasoning_content), which most chat UIs fold away.
 */
export function showCodeRun(show: CodeRunShow, language: SandboxLanguage, code: string, output: string): ToolRunDisplay | undefined {
  switch (show) {
    case 'none':
      return undefined;
    case 'content':
      return { channel: 'content', text: `\n\n${fenced(language, code)}\n${fenced('text', output)}\n\n` };
    case 'reasoning':
      return { channel: 'reasoning', text: `\n[code_interpreter: ${language}]\n${withNewline(code)}[output]\n${withNewline(output)}\n` };
  }
}

/** A fence longer than any backtick run inside, so code containing ``` cannot close it early. */
function fenced(info: string, body: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${withNewline(body)}${fence}`;
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
