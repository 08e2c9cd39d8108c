import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.server.port).toBe(8000);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.ollama.urls).toEqual(['http://127.0.0.1:11434']);
    expect(config.dataDir).toBe('./data');
    expect(config.log.level).toBe('info');
    expect(config.auth.masterKey).toBeUndefined();
  });

  it('reads the contract variables', () => {
    const config = loadConfig({ PORT: '9001', HOST: '0.0.0.0', OLLAMA_URL: 'http://gpu:11434/', MASTER_KEY: 'sk-master-123', DATA_DIR: '/tmp/x', LOG_LEVEL: 'debug' });
    expect(config.server).toMatchObject({ port: 9001, host: '0.0.0.0' });
    expect(config.ollama.urls).toEqual(['http://gpu:11434']);
    expect(config.auth.masterKey).toBe('sk-master-123');
    expect(config.dataDir).toBe('/tmp/x');
    expect(config.log.level).toBe('debug');
  });

  it('reads the robustness limits: BODY_MAX_DEPTH, READY_REQUIRES, the code interpreter cap and queue', () => {
    const defaults = loadConfig({});
    expect(defaults.server).toMatchObject({ bodyMaxDepth: 64, readyRequires: ['ollama', 'keys'] });
    expect(defaults.plugins.codeInterpreter.maxConcurrent).toBeUndefined();
    const config = loadConfig({ BODY_MAX_DEPTH: '32', READY_REQUIRES: 'ollama, sessions,rate_limits', CODE_INTERPRETER_MAX_CONCURRENT: '3', CODE_INTERPRETER_MAX_QUEUED: '0' });
    expect(config.server).toMatchObject({ bodyMaxDepth: 32, readyRequires: ['ollama', 'sessions', 'rate_limits'] });
    expect(config.plugins.codeInterpreter).toMatchObject({ maxConcurrent: 3, maxQueued: 0 });
    expect(() => loadConfig({ READY_REQUIRES: 'ollama,coffee' })).toThrow(ConfigError);
    expect(() => loadConfig({ BODY_MAX_DEPTH: '100000' })).toThrow(ConfigError);
  });

  it('takes several Ollama hosts from a comma-separated OLLAMA_URL', () => {
    expect(loadConfig({ OLLAMA_URL: 'http://a:1, http://b:2' }).ollama.urls).toEqual(['http://a:1', 'http://b:2']);
  });

  it('reads aliases and per-model options from a YAML CONFIG_FILE, env winning over the file', () => {
    const yaml = 'server:\n  port: 7000\nmodels:\n  aliases:\n    deepseek-chat: deepseek-v3.1:671b\n  defaults:\n    deepseek-r1:\n      options: { num_ctx: 32768 }\n      keepAlive: 30m\n';
    const config = loadConfig({ CONFIG_FILE: 'proxy.yaml', PORT: '7100' }, { readFile: () => yaml });
    expect(config.server.port).toBe(7100);
    expect(config.models.aliases).toEqual({ 'deepseek-chat': 'deepseek-v3.1:671b' });
    expect(config.models.defaults['deepseek-r1']).toMatchObject({ options: { num_ctx: 32768 }, keepAlive: '30m' });
  });

  it('reads a JSON CONFIG_FILE', () => {
    const config = loadConfig({ CONFIG_FILE: 'proxy.json' }, { readFile: () => '{"cache":{"policy":"always"}}' });
    expect(config.cache.policy).toBe('always');
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', OLLAMA_URL: 'ftp://nope', LOG_LEVEL: 'loud', MASTER_KEY: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'OLLAMA_URL', 'LOG_LEVEL', 'MASTER_KEY']) expect(problems).toContain(name);
  });

  it('reports an unreadable or malformed CONFIG_FILE and unknown keys in it', () => {
    expect(() => loadConfig({ CONFIG_FILE: 'missing.yaml' }, { readFile: () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); } })).toThrow(/CONFIG_FILE: cannot read missing.yaml/);
    expect(() => loadConfig({ CONFIG_FILE: 'bad.json' }, { readFile: () => '{nope' })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ CONFIG_FILE: 'x.yaml' }, { readFile: () => 'servr: {}' })).toThrow(/servr/);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.server)).toBe(true);
  });
});
