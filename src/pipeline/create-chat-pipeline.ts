import { enforceModelAccess } from '../access/model-access-middleware.js';
import { isModelAllowed } from '../access/model-access.js';
import type { Config } from '../config/config-schema.js';
import type { ChatBackend } from '../core/chat-backend.js';
import { composeBackend } from '../core/chat-middleware.js';
import type { Metrics } from '../observability/metrics.js';
import { emptyPluginRegistry, type PluginRegistry } from '../plugins/plugin-registry.js';
import { pluginsMiddleware } from '../plugins/run-plugins.js';
import type { TrafficStores } from '../stores/create-traffic-stores.js';
import { modelDefaultsLookup, modelResolution } from './model-resolution.js';
import { responseCache } from './response-cache.js';
import { sessionMemory } from './session-memory.js';
import { stopSequences } from './stop-sequences.js';
import type { SessionRegistry } from './session-memory/session-registry.js';

// The chat pipeline in one place: which stages wrap the upstream backend, in which order (DESIGN.md 2.6).

export interface ChatPipelineDeps {
  config: Config;
  /** The upstream (Ollama, through the fleet). */
  backend: ChatBackend;
  metrics: Metrics;
  sessions: SessionRegistry;
  cacheTiers: TrafficStores['cacheTiers'];
  plugins?: PluginRegistry | undefined;
  onCacheStoreError: (error: unknown) => void;
}

/** Plugins see the resolved model name; per-model plugin lists come from models.defaults. */
function pluginStage(config: Config, registry: PluginRegistry) {
  registry.assertKnown(Object.values(config.models.defaults).flatMap((entry) => entry.plugins), 'models.defaults');
  const defaultsFor = modelDefaultsLookup(config.models.defaults);
  return pluginsMiddleware({
    registry,
    maxToolRounds: config.plugins.maxToolRounds,
    perKey: config.plugins.perKey,
    forModel: (model) => defaultsFor(model)?.plugins ?? [],
  });
}

export function createChatPipeline(deps: ChatPipelineDeps): ChatBackend {
  const { config, metrics } = deps;
  const { memory } = config;
  return composeBackend(
    deps.backend,
    modelResolution({ aliases: config.models.aliases, defaults: config.models.defaults, listCacheMs: config.models.listCacheMs }),
    // Inside alias resolution: the allow-list is checked against the installed model too (routes check the requested name).
    enforceModelAccess(),
    // Outermost feature stage: it expands the prompt before plugins and the cache see it (DESIGN.md 2.6).
    sessionMemory({ registry: deps.sessions, ...(memory.summarizerModel ? { summarizerModel: memory.summarizerModel } : {}), mayUse: (principal, model) => isModelAllowed(model, principal.models) }),
    pluginStage(config, deps.plugins ?? emptyPluginRegistry()),
    // Next to the backend: the fingerprint covers exactly what goes upstream (resolved model, options).
    responseCache({
      policy: config.cache.policy,
      ttlMs: config.cache.ttlSeconds * 1000,
      shareAcrossKeys: config.cache.shareAcrossKeys,
      tiers: deps.cacheTiers,
      onLookup: (result) => metrics.cacheLookup(result),
      onStoreError: deps.onCacheStoreError,
    }),
    // Innermost: the cache fingerprints the stop list this stage keeps from Ollama, and stores the cut answer.
    stopSequences({ estimatePromptTokens: (request) => deps.sessions.estimator.countPrompt(request) }),
  );
}
