// Ollama prints times as Go's RFC 3339 with nanoseconds ("2025-06-02T10:14:03.512431677Z");
// JavaScript has milliseconds, so the sub-millisecond digits come from the monotonic clock.

export function ollamaTimestamp(date: Date = new Date()): string {
  const iso = date.toISOString();
  const micros = String(process.hrtime()[1] % 1_000_000).padStart(6, '0');
  const fraction = `${iso.slice(20, 23)}${micros}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}
