import type { z } from 'zod';
import { InvalidRequestError } from '../core/errors.js';

// Refused bodies get Anthropic's style of message: the dotted path of the field, then the problem
// (`max_tokens: Field required`, `messages.0.content.1.type: …`).

type Issue = z.core.$ZodIssue;

const FIELD_REQUIRED = 'Field required';

export function parseAnthropicBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField([], 'the request body must be a JSON object');
  // Without an error map first: a custom map turns off zod's compiled fast path, and valid bodies never need it.
  const valid = schema.safeParse(body);
  if (valid.success) return valid.data;
  const parsed = schema.safeParse(body, { error: reportMissing });
  if (parsed.success) return parsed.data;
  const issue = mostSpecific(parsed.error.issues[0]);
  throw invalidField(issue?.path ?? [], issue ? issue.message.replace(/^Invalid input: /, '') : 'invalid request body');
}

/** Only the error map sees the offending input: an absent field reads as Anthropic says it. */
function reportMissing(issue: z.core.$ZodRawIssue): string | undefined {
  return issue.code === 'invalid_type' && issue.input === undefined ? FIELD_REQUIRED : undefined;
}

export function invalidField(path: readonly PropertyKey[] | string, problem: string): InvalidRequestError {
  const field = typeof path === 'string' ? path : path.map(String).join('.');
  return new InvalidRequestError(field === '' ? problem : `${field}: ${problem}`, field === '' ? null : field);
}

/** A union failure reports every branch; the branch that got deepest into the value is the one the client meant. */
function mostSpecific(issue: Issue | undefined): Issue | undefined {
  if (issue?.code !== 'invalid_union') return issue;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const candidate = branch[0];
    if (candidate && candidate.path.length > (best?.path.length ?? 0)) best = candidate;
  }
  if (!best) return issue;
  const inner = mostSpecific(best)!;
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}
