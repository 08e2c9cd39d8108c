import type { ReasoningSettings } from '../core/chat-request.js';
import type { ModelInfo } from '../core/chat-result.js';

// Names clients send that no Ollama has installed: DeepSeek's API names and the model names of coding agents
// (Claude Code, Codex). Each resolves to the best installed DeepSeek tag of the right kind through a chain of
// families. Pure: model-resolution.ts feeds it the (cached) installed list.

export interface AliasRule {
  /** For the 404: what the alias stands for and looks for. */
  describes: string;
  /** Families in order of preference; the first with an installed match wins. */
  chain: readonly RegExp[];
  pick: 'largest' | 'smallest';
  /** Coding agents call tools: prefer tool-capable models, then thinking-capable ones. */
  preferTools?: boolean;
  /** Reasoning models only (capability `thinking`, or an R1 name when the list has no capabilities). */
  needsThinking?: boolean;
  /** Applied when the client said nothing about reasoning (deepseek-chat never thinks, deepseek-reasoner always). */
  reasoning?: ReasoningSettings;
}

const V4_PRO = /^deepseek-v4-pro(:|$)/;
const V4_FLASH = /^deepseek-v4-flash(:|$)/;
const V4 = /^deepseek-v4([.-][\w.]+)?(:|$)/;
const V3X = /^deepseek-v3\.\d+([.-][\w.]+)?(:|$)/;
const V3 = /^deepseek-v3(:|$)/;
const R1 = /^deepseek-r1(:|$)/;
/** Any installed DeepSeek generation model (embeddings are filtered by capability). */
const ANY_DEEPSEEK = /^(?:[\w.-]+\/)*deepseek/;

const strong: AliasRule = {
  describes: "the strongest installed DeepSeek chat model (deepseek-v4-pro, deepseek-v4, deepseek-v3.x, deepseek-v3, deepseek-r1, then any DeepSeek model), tool-capable first",
  chain: [V4_PRO, V4, V3X, V3, R1, ANY_DEEPSEEK],
  pick: 'largest',
  preferTools: true,
};
const fast: AliasRule = {
  describes: 'the smallest installed DeepSeek chat model (deepseek-v4-flash first, then any DeepSeek model)',
  chain: [V4_FLASH, ANY_DEEPSEEK],
  pick: 'smallest',
};

/** DeepSeek's API model ids (api-docs.deepseek.com: deepseek-v4-flash/-pro since 2026-04; chat/reasoner kept for compatibility). */
export const DEEPSEEK_API_ALIASES: Readonly<Record<string, AliasRule>> = {
  'deepseek-chat': {
    describes: 'DeepSeek\'s general chat model without thinking (deepseek-v4-flash, deepseek-v4, deepseek-v3.x, deepseek-v3, then any DeepSeek model)',
    chain: [V4_FLASH, V4, V3X, V3, ANY_DEEPSEEK],
    pick: 'largest',
    reasoning: { enabled: false },
  },
  'deepseek-reasoner': {
    describes: "DeepSeek's thinking model (deepseek-v4, deepseek-r1, then a thinking-capable deepseek-v3.x or any DeepSeek model that thinks)",
    chain: [V4_FLASH, V4, R1, V3X, ANY_DEEPSEEK],
    pick: 'largest',
    needsThinking: true,
    reasoning: { enabled: true },
  },
  'deepseek-v4-pro': { ...strong, describes: 'DeepSeek V4 Pro: ' + strong.describes },
  'deepseek-v4-flash': { ...fast, describes: 'DeepSeek V4 Flash: ' + fast.describes },
  'deepseek-flash': { ...fast, describes: 'DeepSeek Flash: ' + fast.describes },
};

/** Coding agents' model names, tried in order (the small-model names first). */
export const AGENT_ALIASES: readonly { pattern: RegExp; shown: string; rule: AliasRule }[] = [
  { pattern: /^claude-(.*-)?haiku/i, shown: 'claude-*haiku*', rule: fast },
  { pattern: /^claude-/i, shown: 'claude-*', rule: strong },
  { pattern: /^(gpt-[45][\w.]*-(mini|nano)|o[34]-mini|codex-mini)/i, shown: 'gpt-*-mini, gpt-*-nano, o3-mini, o4-mini, codex-mini*', rule: fast },
  { pattern: /^(gpt-5|gpt-4|o3|o4|codex-)/i, shown: 'gpt-5*, gpt-4*, o3*, o4*, codex-*', rule: strong },
];

/** Quick test for the hot path: does this name need the installed list? */
const AGENT_NAME = /^(claude-|gpt-[45]|o[34]|codex-)/i;

export function findAliasRule(name: string): AliasRule | undefined {
  if (Object.hasOwn(DEEPSEEK_API_ALIASES, name)) return DEEPSEEK_API_ALIASES[name];
  if (!AGENT_NAME.test(name)) return undefined;
  return AGENT_ALIASES.find((entry) => entry.pattern.test(name))?.rule;
}

/** The installed tag the rule picks, or undefined when no family of its chain is installed. */
export function resolveAliasRule(rule: AliasRule, installed: readonly ModelInfo[]): string | undefined {
  const usable = installed.filter((model) => isGenerative(model) && (!rule.needsThinking || canThink(model)));
  for (const family of rule.chain) {
    const candidates = usable.filter((model) => family.test(model.id));
    if (candidates.length > 0) return best(candidates, rule)?.id;
  }
  return undefined;
}

function best(candidates: ModelInfo[], rule: AliasRule): ModelInfo | undefined {
  const rank = (model: ModelInfo): number => (rule.preferTools ? (hasCapability(model, 'tools') ? 2 : 0) + (canThink(model) ? 1 : 0) : 0);
  const sign = rule.pick === 'largest' ? -1 : 1;
  return [...candidates].sort(
    (a, b) => rank(b) - rank(a) || sign * (parameterCount(a) - parameterCount(b)) || b.id.localeCompare(a.id, 'en', { numeric: true }),
  )[0];
}

/** Embedding-only models cannot chat; a list without capabilities (older Ollama) is taken at its word. */
function isGenerative(model: ModelInfo): boolean {
  if (!model.capabilities || model.capabilities.length === 0) return !/embed/i.test(model.id);
  return model.capabilities.includes('completion');
}

function canThink(model: ModelInfo): boolean {
  if (!model.capabilities || model.capabilities.length === 0) return R1.test(model.id);
  return model.capabilities.includes('thinking');
}

function hasCapability(model: ModelInfo, capability: string): boolean {
  return model.capabilities?.includes(capability) ?? false;
}

const SIZE = /(\d+(?:\.\d+)?)\s*([KMBT])/i;
const SCALE: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };

/** Parameters from details.parameter_size ("7.6B"), else from the tag (":32b"), else the file size. */
function parameterCount(model: ModelInfo): number {
  const match = SIZE.exec(model.parameterSize ?? '') ?? SIZE.exec(model.id.split(':')[1] ?? '');
  if (match) return Number(match[1]) * SCALE[match[2]!.toUpperCase()]!;
  return model.sizeBytes ?? 0;
}
