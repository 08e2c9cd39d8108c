import { InvalidRequestError } from '../core/errors.js';

// OpenAI's chat fine-tuning format: one JSON object per line, {"messages":[{"role","content"},…]}.
// Validated line by line; errors name the line (and never quote it: the file may not be what it claims).

export type TrainingRole = 'system' | 'user' | 'assistant';

export interface TrainingExample {
  messages: { role: TrainingRole; content: string }[];
}

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);
const MAX_REPORTED = 10;

function checkMessage(value: unknown, index: number): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `messages[${index}] is not an object`;
  const { role, content } = value as { role?: unknown; content?: unknown };
  if (typeof role !== 'string' || !ROLES.has(role)) return `messages[${index}].role must be one of system, user, assistant`;
  if (typeof content !== 'string') return `messages[${index}].content must be a string`;
  return undefined;
}

/** The problem with one parsed line, or the example it holds. */
function readExample(value: unknown): TrainingExample | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const messages = (value as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || messages.length === 0) return '"messages" must be a non-empty array';
  for (const [index, message] of messages.entries()) {
    const problem = checkMessage(message, index);
    if (problem) return problem;
  }
  const typed = messages as TrainingExample['messages'];
  if (!typed.some((message) => message.role === 'assistant')) return 'needs at least one assistant message';
  return { messages: typed.map(({ role, content }) => ({ role, content })) };
}

function parseLine(text: string): TrainingExample | string {
  try {
    return readExample(JSON.parse(text) as unknown);
  } catch {
    return 'not valid JSON';
  }
}

/** Every example, or an InvalidRequestError (param `training_data`) listing the first bad lines by number. */
export function parseTrainingData(text: string): TrainingExample[] {
  const examples: TrainingExample[] = [];
  const problems: string[] = [];
  let badLines = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const parsed = parseLine(line);
    if (typeof parsed !== 'string') return void examples.push(parsed);
    badLines++;
    if (problems.length < MAX_REPORTED) problems.push(`line ${index + 1}: ${parsed}`);
  });
  if (badLines > 0) {
    const more = badLines > problems.length ? ` (and ${badLines - problems.length} more)` : '';
    throw new InvalidRequestError(`training_data has ${badLines} invalid line${badLines === 1 ? '' : 's'}: ${problems.join('; ')}${more}.`, 'training_data');
  }
  if (examples.length === 0) throw new InvalidRequestError('training_data holds no examples.', 'training_data');
  return examples;
}
