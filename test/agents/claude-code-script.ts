import { chatJson, chatLines, replyJson, replyNdjson, type Reply } from '../helpers/fake-ollama.js';

// The scripted model behind the Claude Code test and its replay: a Bash call, then the final text.

export const CLAUDE_CODE_MODEL = 'deepseek-v3.1:671b';
export const CLAUDE_CODE_COMMAND = 'echo proxy-ok | tee result.txt';
export const CLAUDE_CODE_ANSWER = 'Done: result.txt says proxy-ok.';

export function claudeCodeReplies(stream: boolean): Reply[] {
  const call = { name: 'Bash', arguments: { command: CLAUDE_CODE_COMMAND, description: 'Write proxy-ok to result.txt' } };
  const first = { model: CLAUDE_CODE_MODEL, content: ['I will run the command.'], toolCalls: [call] };
  const second = { model: CLAUDE_CODE_MODEL, content: ['Done: ', 'result.txt says proxy-ok.'] };
  return stream ? [replyNdjson(chatLines(first)), replyNdjson(chatLines(second))] : [replyJson(chatJson(first)), replyJson(chatJson(second))];
}
