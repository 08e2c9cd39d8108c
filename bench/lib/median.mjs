// Medians of repeated runs (issue 8 asks for targets on medians): results of the same shape are merged leaf by
// leaf; numbers become their median, anything else is taken from the first run.

function median(values) {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (sorted.length === 0) return values[0];
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function medianOf(runs) {
  const [first] = runs;
  if (typeof first === 'number') return median(runs);
  if (Array.isArray(first)) return first.map((_, i) => medianOf(runs.map((run) => run?.[i])));
  if (first && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((key) => [key, medianOf(runs.map((run) => run?.[key]))]));
  }
  return first;
}
