// Finds stop sequences in text that arrives in pieces. Text that might still turn out to be the start of a
// sequence is held back until the next piece decides; everything else can go out at once.

export interface MatcherStep {
  /** Text that is certainly answer text, in order: send it now. */
  text: string;
  /** The sequence that ended the answer, when one did (`text` is then what came before it). */
  stop?: string;
}

export interface StopSequenceMatcher {
  /** Feeds the next piece of answer text. After a step with `stop`, the answer is over. */
  push(piece: string): MatcherStep;
  /** The text held back, which no sequence followed after all (the answer ended otherwise); empties the hold. */
  flush(): string;
}

/**
 * Empty sequences never match. When several sequences could end the answer, the one that is complete first
 * wins (the earliest end, as if the text came one character at a time), and of those ending at the same place
 * the longest, so no part of it leaks into the answer. Where pieces are cut does not change the result.
 */
export function createStopSequenceMatcher(sequences: readonly string[]): StopSequenceMatcher {
  const stops = sequences.filter((sequence) => sequence !== '');
  const longest = stops.reduce((max, sequence) => Math.max(max, sequence.length), 0);
  let held = '';
  return {
    push(piece) {
      const buffer = held + piece;
      const match = firstMatch(buffer, stops, held.length);
      if (match) {
        held = '';
        return { text: buffer.slice(0, match.start), stop: match.stop };
      }
      const keep = possibleStart(buffer, stops, longest);
      if (keep === 0) {
        held = '';
        return { text: buffer };
      }
      held = buffer.slice(buffer.length - keep);
      return { text: buffer.slice(0, buffer.length - keep) };
    },
    flush() {
      const rest = held;
      held = '';
      return rest;
    },
  };
}

/**
 * The match that ends first (the longest among equals). `heldLength` characters at the start held no whole
 * sequence already, so a match must end after them.
 */
function firstMatch(buffer: string, stops: readonly string[], heldLength: number): { start: number; stop: string } | undefined {
  let best: { start: number; stop: string } | undefined;
  let bestEnd = Infinity;
  for (const stop of stops) {
    const start = buffer.indexOf(stop, Math.max(0, heldLength - stop.length + 1));
    if (start < 0) continue;
    const end = start + stop.length;
    if (end < bestEnd || (end === bestEnd && stop.length > best!.stop.length)) {
      best = { start, stop };
      bestEnd = end;
    }
  }
  return best;
}

/** Length of the longest end of `buffer` that some sequence starts with (shorter than that sequence), else 0. */
function possibleStart(buffer: string, stops: readonly string[], longest: number): number {
  for (let keep = Math.min(buffer.length, longest - 1); keep > 0; keep--) {
    const from = buffer.length - keep;
    for (const stop of stops) {
      if (stop.length > keep && startsWithRange(stop, buffer, from, keep)) return keep;
    }
  }
  return 0;
}

/** Whether `stop` begins with buffer[from, from + length), compared in place (no substring per try). */
function startsWithRange(stop: string, buffer: string, from: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    if (stop.charCodeAt(i) !== buffer.charCodeAt(from + i)) return false;
  }
  return true;
}
