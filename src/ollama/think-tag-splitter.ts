// DeepSeek-R1 on Ollama before 0.9.0 (and 0.9.0–0.12.3 when `think` is unset) leaves its reasoning inline in
// `content` as `<think>…</think>answer`. Newer R1 templates put `<think>` in the prompt, so the output may
// start straight with reasoning and only show `</think>` later; tags may be split across stream lines.
// This splitter routes streamed text to reasoning or content, holding back at most a partial tag.

export interface SplitText {
  reasoning: string;
  content: string;
}

export interface ThinkTagSplitter {
  push(text: string): SplitText;
  /**
   * Last text of the output. With `isNormalStop`, reasoning that started without `<think>` and never
   * closed is re-issued as content: it was the answer of a model that did not think this time (its
   * reasoning deltas were already sent live; better shown twice than lost). After a `length` stop the
   * text stays reasoning: the model ran out of tokens mid-thought.
   */
  finish(text: string, isNormalStop: boolean): SplitText;
  /** True once every further text is plain content: the caller may stop routing through the splitter. */
  isPassthrough(): boolean;
}

export interface ThinkTagSplitterOptions {
  /** The model is known to reason inline: text before a `</think>` is reasoning even without `<think>`. */
  inlineThinking: boolean;
}

const OPEN = '<think>';
const CLOSE = '</think>';
/** Leading whitespace we wait through before deciding whether `<think>` opens the output. */
const MAX_LEADING_WHITESPACE = 64;

type Mode = 'start' | 'reasoning' | 'content';

export function createThinkTagSplitter(options: ThinkTagSplitterOptions): ThinkTagSplitter {
  let mode: Mode = 'start';
  let pending = '';
  let isImplicit = false;
  let implicitText = '';
  let trimLeading = false;

  const emit = (out: SplitText, target: 'reasoning' | 'content', raw: string): void => {
    let text = raw;
    if (trimLeading) {
      text = text.trimStart();
      if (text === '') return;
      trimLeading = false;
    }
    out[target] += text;
    if (target === 'reasoning' && isImplicit) implicitText += text;
  };

  const fromStart = (text: string): string | undefined => {
    const trimmed = text.trimStart();
    const isUndecided = trimmed.length < OPEN.length && OPEN.startsWith(trimmed);
    if (isUndecided && text.length <= MAX_LEADING_WHITESPACE) {
      pending = text;
      return undefined;
    }
    trimLeading = true;
    if (trimmed.startsWith(OPEN)) {
      mode = 'reasoning';
      return trimmed.slice(OPEN.length);
    }
    if (options.inlineThinking) {
      mode = 'reasoning';
      isImplicit = true;
      return text;
    }
    // A model that does not think: pass everything through untouched from here on.
    mode = 'content';
    trimLeading = false;
    return text;
  };

  const fromReasoning = (out: SplitText, text: string): string | undefined => {
    const close = text.indexOf(CLOSE);
    if (close !== -1) {
      emit(out, 'reasoning', text.slice(0, close));
      mode = 'content';
      isImplicit = false;
      implicitText = '';
      trimLeading = true;
      return text.slice(close + CLOSE.length);
    }
    const keep = partialTagLength(text, CLOSE);
    emit(out, 'reasoning', text.slice(0, text.length - keep));
    pending = text.slice(text.length - keep);
    return undefined;
  };

  const push = (text: string): SplitText => {
    const out: SplitText = { reasoning: '', content: '' };
    let rest: string | undefined = pending + text;
    pending = '';
    while (rest !== undefined) {
      if (mode === 'start') rest = fromStart(rest);
      else if (mode === 'reasoning') rest = fromReasoning(out, rest);
      else {
        emit(out, 'content', rest);
        rest = undefined;
      }
    }
    return out;
  };

  const finish = (text: string, isNormalStop: boolean): SplitText => {
    const out = push(text);
    if (isNormalStop && isImplicit && mode === 'reasoning') {
      return { reasoning: '', content: implicitText + pending };
    }
    if (pending !== '') out[mode === 'reasoning' ? 'reasoning' : 'content'] += pending;
    pending = '';
    return out;
  };

  const isPassthrough = (): boolean => mode === 'content' && !trimLeading && pending === '';

  return { push, finish, isPassthrough };
}

/** Length of the longest proper prefix of `tag` that `text` ends with (the tag has a single '<'). */
function partialTagLength(text: string, tag: string): number {
  const lt = text.lastIndexOf('<');
  if (lt === -1 || text.length - lt >= tag.length) return 0;
  return tag.startsWith(text.slice(lt)) ? text.length - lt : 0;
}
