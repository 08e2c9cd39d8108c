// Child → parent protocol: one JSON object per line on fd 1, written synchronously so that
// output printed before a hard kill (timeout) has already reached the parent.
import { writeSync } from 'node:fs';

const EAGAIN_PAUSE = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd, bytes) {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      // A non-blocking pipe that is momentarily full: wait for the parent to drain it.
      if (error?.code !== 'EAGAIN') throw error;
      Atomics.wait(EAGAIN_PAUSE, 0, 0, 5);
    }
  }
}

export function sendMessage(message) {
  writeAll(1, Buffer.from(`${JSON.stringify(message)}\n`, 'utf8'));
}

/**
 * Forwards at most maxBytes + 1 bytes per stream: the parent truncates to maxBytes and the
 * extra byte tells it that more was printed. Everything beyond is dropped here, so a print
 * loop cannot flood the pipe.
 */
export function createOutputForwarder(maxBytes) {
  const sent = { stdout: 0, stderr: 0 };
  return (stream, text) => {
    const room = maxBytes + 1 - sent[stream];
    if (room <= 0 || text.length === 0) return;
    const bytes = Buffer.from(text, 'utf8');
    const chunk = bytes.length > room ? bytes.subarray(0, room) : bytes;
    sent[stream] += chunk.length;
    sendMessage({ type: 'output', stream, text: chunk.toString('utf8') });
  };
}
