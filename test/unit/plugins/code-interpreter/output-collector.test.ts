import { describe, expect, it } from 'vitest';
import { createOutputCollector, truncateText, truncationMarker } from '../../../../src/plugins/code-interpreter/output-collector.js';

describe('createOutputCollector', () => {
  it('keeps everything up to the limit without a marker', () => {
    const collector = createOutputCollector(10);
    collector.append('hello');
    collector.append('world');
    expect(collector.text()).toBe('helloworld');
    expect(collector.isTruncated()).toBe(false);
  });

  it('cuts at the limit and appends the marker once', () => {
    const collector = createOutputCollector(8);
    collector.append('hello');
    collector.append('world');
    collector.append('more');
    expect(collector.text()).toBe(`hellowor${truncationMarker(8)}`);
    expect(collector.isTruncated()).toBe(true);
  });

  it('never splits a multi-byte character', () => {
    const { text, truncated } = truncateText('aé€😀', 5); // 1 + 2 + 3 + 4 bytes
    expect(truncated).toBe(true);
    expect(text).toBe(`aé${truncationMarker(5)}`);
  });
});
