import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/logger.js';
import { ANONYMOUS } from '../../../../src/core/principal.js';
import { createCodeInterpreterPlugin } from '../../../../src/plugins/code-interpreter/code-interpreter-plugin.js';
import type { Sandbox, SandboxRunInput } from '../../../../src/plugins/code-interpreter/sandbox.js';
import { showCodeRun } from '../../../../src/plugins/code-interpreter/show-code-run.js';
import type { PluginContext } from '../../../../src/plugins/plugin.js';

// The sandbox is the boundary here: a recording stand-in; the real one runs in test/sdk/code-interpreter.test.ts.
function recordingSandbox(): Sandbox & { runs: SandboxRunInput[] } {
  const runs: SandboxRunInput[] = [];
  return {
    runs,
    run: async (input) => (runs.push(input), { ok: true, stdout: '', stderr: '', result: '2', truncated: false, durationMs: 1 }),
    close: async () => undefined,
  };
}
const pluginCtx: PluginContext = { principal: ANONYMOUS, requestId: 'r', logger: silentLogger, signal: new AbortController().signal, reject: () => { throw new Error('unused'); } };
const call = (argumentsJson: string) => ({ id: 'c1', name: 'code_interpreter', argumentsJson });

describe('code interpreter plugin runTool', () => {
  it('runs the code in the language asked for (py/js aliases, Python by default)', async () => {
    const sandbox = recordingSandbox();
    const plugin = createCodeInterpreterPlugin({ sandbox, show: 'none' });
    await plugin.runTool!(call('{"language":"JS","code":"1+1"}'), pluginCtx);
    await plugin.runTool!(call('{"code":"1+1"}'), pluginCtx);
    expect(sandbox.runs.map((run) => run.language)).toEqual(['javascript', 'python']);
    expect(await plugin.runTool!(call('{"code":"1+1"}'), pluginCtx)).toEqual({ content: 'status: ok\nresult:\n2' });
  });

  it.each([
    ['not JSON', 'print(1)', 'status: error: invalid arguments: arguments are not valid JSON'],
    ['an unknown language', '{"language":"ruby","code":"1"}', 'status: error: invalid arguments: language must be "python" or "javascript"'],
    ['empty code', '{"language":"python","code":""}', 'status: error: invalid arguments: code must not be empty'],
  ])('answers %s with a tool result the model can act on, without running anything', async (_name, args, expected) => {
    const sandbox = recordingSandbox();
    const output = await createCodeInterpreterPlugin({ sandbox, show: 'content' }).runTool!(call(args), pluginCtx);
    expect(output).toEqual({ content: expected });
    expect(sandbox.runs).toHaveLength(0);
  });
});

describe('showCodeRun', () => {
  it('shows nothing for none, reasoning lines for reasoning, fenced blocks for content', () => {
    expect(showCodeRun('none', 'python', 'x', 'status: ok')).toBeUndefined();
    expect(showCodeRun('reasoning', 'python', 'print(1)', 'status: ok\nstdout:\n1')).toEqual({
      channel: 'reasoning',
      text: '\n[code_interpreter: python]\nprint(1)\n[output]\nstatus: ok\nstdout:\n1\n\n',
    });
    expect(showCodeRun('content', 'python', 'print(1)', 'status: ok')!.text).toBe('\n\n```python\nprint(1)\n```\n```text\nstatus: ok\n```\n\n');
  });

  it('uses a longer fence when the code itself contains one', () => {
    expect(showCodeRun('content', 'python', 's = "```"', 'status: ok')!.text).toContain('````python\ns = "```"\n````');
  });
});
