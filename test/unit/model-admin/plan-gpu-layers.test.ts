import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../../src/core/errors.js';
import { formatBytes, parseMemoryLimit } from '../../../src/model-admin/memory-limit.js';
import { planGpuLayers } from '../../../src/model-admin/plan-gpu-layers.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('parseMemoryLimit', () => {
  it.each([
    ['8G', 8 * GiB],
    ['8GB', 8 * GiB],
    ['8GiB', 8 * GiB],
    ['512M', 512 * MiB],
    ['1.5g', 1.5 * GiB],
    ['100K', 100 * 1024],
    ['1T', 1024 ** 4],
    ['123456', 123456],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseMemoryLimit(text)).toMatchObject({ kind: 'bytes', bytes });
  });

  it('reads a percentage', () => {
    expect(parseMemoryLimit('50%')).toMatchObject({ kind: 'percent', percent: 50 });
  });

  it.each(['', 'lots', '8X', '-1G', '50 percent', 'G8'])('rejects %j with a 400 naming memory_limit', (text) => {
    expect(() => parseMemoryLimit(text)).toThrow(expect.objectContaining({ status: 400, param: 'memory_limit' }));
  });
});

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536 * MiB)).toBe('1.5 GiB');
  });
});

// deepseek-r1:7b as the fake reports it: 4,683,075,271 bytes, 28 blocks → 29 offloadable layers.
const R1 = { model: 'deepseek-r1:7b', sizeBytes: 4_683_075_271, blockCount: 28 };
const layer = R1.sizeBytes / 29;

describe('planGpuLayers', () => {
  it('uses num_gpu as given', () => {
    expect(planGpuLayers({ ...R1, numGpu: 12 })).toEqual({ numGpu: 12, reason: 'num_gpu 12 as requested.' });
  });

  it('leaves the decision to Ollama when neither is given', () => {
    const plan = planGpuLayers({ model: R1.model });
    expect(plan.numGpu).toBeUndefined();
    expect(plan.reason).toMatch(/Ollama decides/);
  });

  it('offloads as many whole layers as fit an absolute limit', () => {
    const plan = planGpuLayers({ ...R1, memoryLimit: parseMemoryLimit('2G') });
    expect(plan.numGpu).toBe(Math.floor((2 * GiB) / layer));
    expect(plan).toMatchObject({ totalLayers: 29, limitBytes: 2 * GiB, layerBytes: Math.round(layer) });
    expect(plan.reason).toMatch(/holds 13 of 29 layers/);
    expect(plan.reason).toMatch(/rest run on the CPU/);
  });

  it('reads a percentage as a share of the model size', () => {
    const plan = planGpuLayers({ ...R1, memoryLimit: parseMemoryLimit('50%') });
    expect(plan.numGpu).toBe(14);
    expect(plan.limitBytes).toBe(Math.floor(R1.sizeBytes / 2));
    expect(plan.reason).toMatch(/50% of 4\.4 GiB/);
  });

  it('offloads every layer, output layer included, when the limit holds the whole model', () => {
    for (const limit of ['8G', '100%', '250%']) {
      const plan = planGpuLayers({ ...R1, memoryLimit: parseMemoryLimit(limit) });
      expect(plan.numGpu).toBe(29);
      expect(plan.reason).toMatch(/whole model/);
    }
  });

  it('refuses a limit smaller than one layer with a 400 that says how big a layer is', () => {
    const attempt = () => planGpuLayers({ ...R1, memoryLimit: parseMemoryLimit('100M') });
    expect(attempt).toThrow(ProxyError);
    expect(attempt).toThrow(expect.objectContaining({ status: 400, param: 'memory_limit' }));
    expect(attempt).toThrow(/smaller than one layer of 'deepseek-r1:7b' \(~154\.\d MiB weights per layer/);
  });

  it('refuses 0%', () => {
    expect(() => planGpuLayers({ ...R1, memoryLimit: parseMemoryLimit('0%') })).toThrow(/smaller than one layer/);
  });

  it('refuses num_gpu together with memory_limit', () => {
    expect(() => planGpuLayers({ ...R1, numGpu: 3, memoryLimit: parseMemoryLimit('8G') })).toThrow(/not both/);
  });

  // deepseek-r1:7b's attention (qwen2): 28 heads, 4 KV heads, embedding 3584 → 128 dims per head.
  const shape = { blockCount: 28, embeddingLength: 3584, headCount: 28, headCountKv: 4, numCtx: 4096 };
  const kvLayer = 4096 * 4 * (128 + 128) * 2;
  const graph = 4 * 512 * (1 + 4 * 3584 + 4096 * 29);

  it('reserves the KV cache per layer and the compute graph once, and explains the sum', () => {
    const plan = planGpuLayers({ ...R1, shape, memoryLimit: parseMemoryLimit('2G') });
    expect(plan.numGpu).toBe(Math.floor((2 * GiB - graph) / (layer + kvLayer)));
    expect(plan.numGpu).toBe(11);
    expect(plan).toMatchObject({ kvLayerBytes: kvLayer, graphBytes: graph, numCtx: 4096 });
    expect(plan.reason).toMatch(/~8\.0 MiB KV cache per layer \(KV cache f16 at num_ctx 4096: 4 KV heads × 128 dims/);
    expect(plan.reason).toMatch(/260\.0 MiB for the compute graph once/);
  });

  it('grows the KV cache with num_ctx', () => {
    const small = planGpuLayers({ ...R1, shape, memoryLimit: parseMemoryLimit('2G') }).numGpu!;
    const large = planGpuLayers({ ...R1, shape: { ...shape, numCtx: 8192 }, memoryLimit: parseMemoryLimit('2G') }).numGpu!;
    expect(large).toBeLessThan(small);
  });

  it('needs weights, the whole KV cache and the graph to hold every layer; 100% is all of that', () => {
    const total = R1.sizeBytes + 28 * kvLayer + graph;
    expect(planGpuLayers({ ...R1, shape, memoryLimit: { kind: 'bytes', bytes: R1.sizeBytes, text: 'size' } }).numGpu).toBeLessThan(29);
    expect(planGpuLayers({ ...R1, shape, memoryLimit: { kind: 'bytes', bytes: total, text: 'all' } }).numGpu).toBe(29);
    expect(planGpuLayers({ ...R1, shape, memoryLimit: parseMemoryLimit('100%') }).numGpu).toBe(29);
  });

  it('asks for num_gpu when the block count is unknown', () => {
    expect(() => planGpuLayers({ model: 'x', sizeBytes: 10, memoryLimit: parseMemoryLimit('8G') })).toThrow(/Set num_gpu instead/);
  });
});
