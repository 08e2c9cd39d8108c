// What a sandbox child may say on its stdout (runner/runner-output.mjs writes it). The child
// runs untrusted code, so every line is parsed strictly and anything else is ignored.
import { z } from 'zod';

const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('output'), stream: z.enum(['stdout', 'stderr']), text: z.string() }),
  z.object({
    type: z.literal('done'),
    ok: z.boolean(),
    result: z.string().optional(),
    error: z.string().optional(),
    reason: z.enum(['error', 'timeout', 'memory']).optional(),
  }),
  z.object({ type: z.literal('fatal'), error: z.string() }),
]);

export type ChildMessage = z.infer<typeof childMessageSchema>;
export type ChildDone = Extract<ChildMessage, { type: 'done' }>;

export function parseChildMessage(line: string): ChildMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = childMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
