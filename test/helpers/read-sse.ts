/** Parses an SSE body into its data frames (strings), comments counted separately. */
export function parseSse(body: string): { data: string[]; comments: string[] } {
  const data: string[] = [];
  const comments: string[] = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const lines = event.split(/\r?\n/).filter(Boolean);
    const dataLines = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, ''));
    comments.push(...lines.filter((line) => line.startsWith(':')));
    if (dataLines.length > 0) data.push(dataLines.join('\n'));
  }
  return { data, comments };
}

/** The JSON frames of an SSE body, without the final [DONE]. */
export function sseJson(body: string): unknown[] {
  return parseSse(body)
    .data.filter((frame) => frame !== '[DONE]')
    .map((frame) => JSON.parse(frame) as unknown);
}
