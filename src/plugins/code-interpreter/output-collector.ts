// Bounds what untrusted code can print: the model gets the first maxBytes bytes of each
// stream (cut on a UTF-8 character boundary) followed by a marker saying output was cut.

export interface OutputCollector {
  append(text: string): void;
  /** The collected text, with the truncation marker appended when something was dropped. */
  text(): string;
  isTruncated(): boolean;
}

export function truncationMarker(maxBytes: number): string {
  return `\n[output truncated: more than ${maxBytes} bytes]`;
}

/** Largest cut ≤ limit that does not split a multi-byte UTF-8 sequence. */
function utf8Boundary(bytes: Buffer, limit: number): number {
  let cut = Math.min(limit, bytes.length);
  const isContinuation = (index: number): boolean => ((bytes[index] ?? 0) & 0xc0) === 0x80;
  while (cut > 0 && cut < bytes.length && isContinuation(cut)) cut -= 1;
  return cut;
}

export function createOutputCollector(maxBytes: number): OutputCollector {
  const kept: string[] = [];
  let keptBytes = 0;
  let truncated = false;
  return {
    append(text) {
      if (truncated || text.length === 0) return;
      const bytes = Buffer.from(text, 'utf8');
      const room = maxBytes - keptBytes;
      if (bytes.length <= room) {
        kept.push(text);
        keptBytes += bytes.length;
        return;
      }
      const cut = utf8Boundary(bytes, room);
      kept.push(bytes.subarray(0, cut).toString('utf8'));
      keptBytes += cut;
      truncated = true;
    },
    text() {
      const joined = kept.join('');
      return truncated ? joined + truncationMarker(maxBytes) : joined;
    },
    isTruncated() {
      return truncated;
    },
  };
}

export function truncateText(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const collector = createOutputCollector(maxBytes);
  collector.append(text);
  return { text: collector.text(), truncated: collector.isTruncated() };
}
