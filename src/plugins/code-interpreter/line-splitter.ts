// Splits a byte stream into lines. A line longer than maxLineBytes means the other side is not
// speaking the protocol: onOverflow fires once and the rest of the stream is dropped.

export function createLineSplitter(
  maxLineBytes: number,
  onLine: (line: string) => void,
  onOverflow: () => void,
): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let hasOverflowed = false;
  return (chunk) => {
    if (hasOverflowed) return;
    pending = Buffer.concat([pending, chunk]);
    let newline = pending.indexOf(0x0a);
    while (newline !== -1) {
      onLine(pending.subarray(0, newline).toString('utf8'));
      pending = pending.subarray(newline + 1);
      newline = pending.indexOf(0x0a);
    }
    if (pending.length > maxLineBytes) {
      hasOverflowed = true;
      pending = Buffer.alloc(0);
      onOverflow();
    }
  };
}
