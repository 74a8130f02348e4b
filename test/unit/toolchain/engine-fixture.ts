/** A plain Llama engine (TP 1, no quantization, no LoRA, no lookahead): the base the launch tests vary. */
import type { EngineSettings } from '../../../orchestrator/toolchain/engine-settings.js';

export function plainEngine(over: Partial<EngineSettings> = {}): EngineSettings {
  return {
    family: 'llama',
    tp: 1,
    pp: 1,
    moeEp: null,
    quant: null,
    maxBatchSize: 64,
    maxNumTokens: 8192,
    maxSeqLen: null,
    pagedKvCache: true,
    pagedContextFmha: true,
    fp8ContextFmha: false,
    lookahead: null,
    lora: null,
    gatherAllTokenLogits: false,
    maxPromptEmbeddingTableSize: 0,
    workers: 1,
    ...over,
  };
}
