import { describe, expect, it } from 'vitest';
import { parseChildMessage } from '../../../../src/plugins/code-interpreter/child-message.js';

describe('parseChildMessage', () => {
  it('accepts the protocol messages', () => {
    expect(parseChildMessage('{"type":"output","stream":"stderr","text":"x"}')).toEqual({ type: 'output', stream: 'stderr', text: 'x' });
    expect(parseChildMessage('{"type":"done","ok":false,"reason":"memory","error":"MemoryError"}')).toEqual({
      type: 'done',
      ok: false,
      reason: 'memory',
      error: 'MemoryError',
    });
  });

  it.each(['not json', '{"type":"ready"', '{"type":"output","stream":"fd3","text":"x"}', '{"type":"done"}', '[1]'])(
    'ignores %s',
    (line) => {
      expect(parseChildMessage(line)).toBeUndefined();
    },
  );
});
