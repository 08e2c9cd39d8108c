import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/core/logger.js';
import { ProxyError, UpstreamUnavailableError, toProxyError } from '../../../src/core/errors.js';
import { createFailureLog } from '../../../src/http/failure-log.js';

interface Line {
  level: string;
  message: string;
  meta: Record<string, unknown> | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, meta });
  const logger: Logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), child: () => logger, isDebugEnabled: () => false };
  return logger;
}

describe('createFailureLog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const storeDown = () => new ProxyError('service_unavailable', 'Rate limiting is temporarily unavailable; retry shortly.', { cause: new Error('MaxRetriesPerRequestError') });

  it('logs a classified failure once, at warn, without a stack, and reports the repeats with a count when the window ends', () => {
    const lines: Line[] = [];
    const log = createFailureLog({ windowMs: 10_000, now: Date.now });
    for (let i = 0; i < 1000; i++) {
      const error = storeDown();
      log.report(recordingLogger(lines), error, error);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'Rate limiting is temporarily unavailable; retry shortly.', meta: { code: 'service_unavailable', cause: 'Error: MaxRetriesPerRequestError' } });
    expect(JSON.stringify(lines)).not.toContain('at ');
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 'warn', message: 'Rate limiting is temporarily unavailable; retry shortly. (repeated 999 times in the last 10s)', meta: { repeated: 999 } });
    // A new window starts with a fresh line.
    const error = storeDown();
    log.report(recordingLogger(lines), error, error);
    expect(lines).toHaveLength(3);
  });

  it('keeps causes apart', () => {
    const lines: Line[] = [];
    const log = createFailureLog();
    const upstream = new UpstreamUnavailableError();
    for (let i = 0; i < 3; i++) {
      log.report(recordingLogger(lines), upstream, upstream);
      const error = storeDown();
      log.report(recordingLogger(lines), error, error);
    }
    expect(lines.map((line) => line.meta?.code)).toEqual(['upstream_unavailable', 'service_unavailable']);
  });

  it('logs every unexpected error at error level with its stack', () => {
    const lines: Line[] = [];
    const log = createFailureLog();
    for (let i = 0; i < 3; i++) {
      const bug = new TypeError('cannot read x of undefined');
      log.report(recordingLogger(lines), bug, toProxyError(bug));
    }
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'error', meta: { code: 'internal_error', error: { name: 'TypeError', stack: expect.stringContaining('TypeError') } } });
  });

  it('ignores client errors (the access line reports them)', () => {
    const lines: Line[] = [];
    const bad = new ProxyError('invalid_request', 'bad');
    createFailureLog().report(recordingLogger(lines), bad, bad);
    expect(lines).toEqual([]);
  });
});
