// Non-streamed load with autocannon. autocannon's own latency histogram has 1 ms resolution, too coarse for
// sub-millisecond overheads, so every response time (float ms from hrtime) is collected here and the
// percentiles are computed exactly.
import autocannon from 'autocannon';

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** `[<id>]` in the body becomes a fresh number per request (autocannon's own idReplacement miscounts Content-Length). */
function uniqueBodies(body) {
  let next = 0;
  return [{ setupRequest: (request) => ({ ...request, body: body.replace('[<id>]', String(next++).padStart(10, '0')) }) }];
}

function runOnce({ url, body, headers, connections, seconds, idReplacement }) {
  return new Promise((resolve, reject) => {
    const requests = idReplacement ? { requests: uniqueBodies(body) } : {};
    let latencies = new Float64Array(1 << 16);
    let count = 0;
    let failed = 0;
    const instance = autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration: seconds, pipelining: 1, ...requests },
      (error, result) => (error ? reject(error) : resolve({ result, latencies: latencies.subarray(0, count), failed })),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode > 299) {
        failed++;
        return;
      }
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
    });
  });
}

/**
 * Warm-up run (discarded), then the measured run: requests/s of 2xx answers, p50/p99 ms, failures.
 * idReplacement: `[<id>]` in the body is replaced with a fresh id per request (cache misses).
 */
export async function measureLoad({ url: base, path = '/', body, headers = {}, connections, seconds, warmupSeconds, idReplacement = false }) {
  const url = new URL(path, base).href;
  if (warmupSeconds > 0) await runOnce({ url, body, headers, connections, seconds: warmupSeconds, idReplacement });
  const { result, latencies, failed } = await runOnce({ url, body, headers, connections, seconds, idReplacement });
  const sorted = Float64Array.from(latencies).sort();
  return {
    connections,
    seconds: result.duration,
    requests: sorted.length,
    rps: sorted.length / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    failed: failed + result.errors + result.timeouts,
  };
}
