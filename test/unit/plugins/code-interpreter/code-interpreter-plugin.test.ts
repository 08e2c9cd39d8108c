import { describe, expect, it } from 'vitest';
import { CODE_INTERPRETER_TOOL, formatToolResult } from '../../../../src/plugins/code-interpreter/code-interpreter-plugin.js';

const base = { ok: true, stdout: '', stderr: '', truncated: false, durationMs: 5 };

describe('CODE_INTERPRETER_TOOL', () => {
  it('declares the language and code arguments', () => {
    expect(CODE_INTERPRETER_TOOL.name).toBe('code_interpreter');
    expect(CODE_INTERPRETER_TOOL.parameters).toMatchObject({
      required: ['language', 'code'],
      properties: { language: { enum: ['python', 'javascript'] }, code: { type: 'string' } },
    });
  });
});

describe('formatToolResult', () => {
  it('renders output and the last value of a successful run', () => {
    expect(formatToolResult({ ...base, stdout: 'hello\n', result: '42' })).toBe('status: ok\nstdout:\nhello\nresult:\n42');
  });

  it('leads with the error and keeps stderr', () => {
    const text = formatToolResult({ ...base, ok: false, error: 'Timed out after 5000 ms', stderr: 'partial\n' });
    expect(text).toBe('status: error: Timed out after 5000 ms\nstderr:\npartial');
  });

  it('says so when a run printed nothing', () => {
    expect(formatToolResult(base)).toBe('status: ok\n(no output)');
  });
});
