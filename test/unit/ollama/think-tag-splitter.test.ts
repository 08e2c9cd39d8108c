import { describe, expect, it } from 'vitest';
import { createThinkTagSplitter, type SplitText } from '../../../src/ollama/think-tag-splitter.js';

function run(parts: string[], inlineThinking: boolean, isNormalStop = true): SplitText {
  const splitter = createThinkTagSplitter({ inlineThinking });
  const total: SplitText = { reasoning: '', content: '' };
  const add = (out: SplitText) => {
    total.reasoning += out.reasoning;
    total.content += out.content;
  };
  for (const part of parts) add(splitter.push(part));
  add(splitter.finish('', isNormalStop));
  return total;
}

const cases: [string, string, boolean, SplitText][] = [
  ['opening and closing tags', '<think>\nA<b and c</th>\n</think>\n\nAnswer <think> stays', false, { reasoning: 'A<b and c</th>\n', content: 'Answer <think> stays' }],
  ['whitespace before the opening tag', '  \n<think>x</think>y', false, { reasoning: 'x', content: 'y' }],
  ['a missing opening tag on an inline model', 'reason</think>\n\nanswer', true, { reasoning: 'reason', content: 'answer' }],
  ['an empty think block', '<think>\n\n</think>\n\nHi', true, { reasoning: '', content: 'Hi' }],
  ['</think> in the text of a non-inline model', 'plain text </think> here', false, { reasoning: '', content: 'plain text </think> here' }],
  ['a <thinking> tag, which is not ours', '<thinking>foo', false, { reasoning: '', content: '<thinking>foo' }],
  ['an unclosed reasoning block', '<think>still going', false, { reasoning: 'still going', content: '' }],
];

describe('createThinkTagSplitter', () => {
  it.each(cases)('routes %s the same way at every split point', (_name, input, inline, expected) => {
    expect(run([input], inline)).toEqual(expected);
    expect(run([...input], inline)).toEqual(expected);
    for (let cut = 1; cut < input.length; cut++) {
      expect(run([input.slice(0, cut), input.slice(cut)], inline), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('holds back only a possible partial closing tag', () => {
    const splitter = createThinkTagSplitter({ inlineThinking: true });
    expect(splitter.push('abc</')).toEqual({ reasoning: 'abc', content: '' });
    expect(splitter.push('b> more <')).toEqual({ reasoning: '</b> more ', content: '' });
    expect(splitter.push('x')).toEqual({ reasoning: '<x', content: '' });
  });

  it('flushes a held partial tag at the end', () => {
    const splitter = createThinkTagSplitter({ inlineThinking: false });
    splitter.push('<think>a</thi');
    expect(splitter.finish('', false)).toEqual({ reasoning: '</thi', content: '' });
  });

  it('gives up waiting for <think> after a long run of leading whitespace', () => {
    const splitter = createThinkTagSplitter({ inlineThinking: false });
    const spaces = ' '.repeat(100);
    expect(splitter.push(spaces)).toEqual({ reasoning: '', content: spaces });
  });

  it('re-issues implicit, never-closed reasoning as content at a normal stop', () => {
    expect(run(['Hi', ' there'], true, true)).toEqual({ reasoning: 'Hi there', content: 'Hi there' });
  });

  it('returns a one-piece implicit answer as content only', () => {
    const splitter = createThinkTagSplitter({ inlineThinking: true });
    expect(splitter.finish('Hi there', true)).toEqual({ reasoning: '', content: 'Hi there' });
  });

  it('keeps implicit reasoning as reasoning after a length stop', () => {
    expect(run(['Let me', ' think'], true, false)).toEqual({ reasoning: 'Let me think', content: '' });
  });
});
