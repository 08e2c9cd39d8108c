import { BUILT_IN_DETECTORS, type PiiDetector } from './pii-detectors.js';

export interface PiiRedactorOptions {
  /** Extra patterns, name → regular expression source; matches become [NAME]. Checked before the built-ins. */
  patterns?: Readonly<Record<string, string>>;
}

export interface PiiRedactor {
  redact(text: string): string;
}

interface Span {
  start: number;
  end: number;
  /** undefined: a candidate that failed its check, kept as it is. */
  label: string | undefined;
}

/** Throws (at start-up) when an extra pattern does not compile, naming it. */
export function createPiiRedactor(options: PiiRedactorOptions = {}): PiiRedactor {
  const detectors = [...toCustomDetectors(options.patterns ?? {}), ...BUILT_IN_DETECTORS];
  return {
    redact(text) {
      if (text === '') return text;
      const spans = findSpans(text, detectors);
      let out = '';
      let at = 0;
      for (const span of spans) {
        if (span.label === undefined) continue;
        out += `${text.slice(at, span.start)}[${span.label}]`;
        at = span.end;
      }
      return at === 0 ? text : out + text.slice(at);
    },
  };
}

function toCustomDetectors(patterns: Readonly<Record<string, string>>): PiiDetector[] {
  return Object.entries(patterns).map(([name, source]) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, 'g');
    } catch (error) {
      throw new Error(`plugins.piiRedaction.patterns.${name}: invalid regular expression: ${(error as Error).message}`);
    }
    if (pattern.test('')) throw new Error(`plugins.piiRedaction.patterns.${name}: the pattern matches the empty string`);
    return { label: name.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), pattern };
  });
}

/** Earlier detectors claim text first; a later match overlapping a claimed span is dropped. */
function findSpans(text: string, detectors: readonly PiiDetector[]): Span[] {
  const spans: Span[] = [];
  for (const detector of detectors) {
    for (const match of text.matchAll(detector.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (spans.some((span) => start < span.end && end > span.start)) continue;
      const isValid = detector.isValid?.(match[0]) ?? true;
      spans.push({ start, end, label: isValid ? detector.label : undefined });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}
