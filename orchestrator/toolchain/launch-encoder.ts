/**
 * Launch config of an encoder engine: the project's encoder server (`builder-image/steps/
 * encoder_server.py`, in the step image) loads the built engine with `tensorrt_llm.runtime` and
 * serves OpenAI `/v1/embeddings`, or scores for `*ForSequenceClassification` (`/predict`,
 * `/rerank`). text-embeddings-router is not used: it cannot load a TensorRT engine.
 */
import type { EncoderLaunchSettings } from './engine-settings.js';
import { RUNTIME } from './layout.js';
import { encoderServerArgv } from './step-scripts.js';
import type { LaunchConfig } from './types.js';

export const ENCODER_LAUNCH_FILE = 'encoder.json';
/** The encoder (causal) server needs at least this many tokens per batch. */
export const ENCODER_MIN_MAX_NUM_TOKENS = 16384;
/** The server name of encoder launch configs. */
export const ENCODER_SERVER = 'trt-encoder-server';

/** Routes the encoder server serves (token classification has none). */
export type EncoderRoute = '/v1/embeddings' | '/predict' | '/rerank';

/** Encoder server argv and a JSON description of the engine it serves; `route` is a served one. */
export function encoderLaunch(
  l: EncoderLaunchSettings & { readonly route: EncoderRoute },
  image: string,
): LaunchConfig {
  // BERT-family engines pool the [CLS] token; causal embedding models (Qwen3-Embedding, …) the last token.
  const pooling = l.kind === 'encoder_bert' ? 'cls' : 'last';
  const argv = encoderServerArgv({
    engineDir: RUNTIME.engineDir,
    tokenizerDir: RUNTIME.tokenizerDir,
    route: l.route,
    pooling,
    maxBatchSize: l.maxBatchSize,
    maxSeqLen: l.maxSeqLen,
  });
  const description = {
    kind: l.kind,
    engine_path: RUNTIME.engineDir,
    tokenizer_path: RUNTIME.tokenizerDir,
    webserver_default_route: l.route,
    pooling,
    max_batch_size: l.maxBatchSize,
    max_num_tokens: l.maxNumTokens,
    max_seq_len: l.maxSeqLen,
  };
  return {
    server: ENCODER_SERVER,
    image,
    argv,
    files: [{ path: ENCODER_LAUNCH_FILE, content: `${JSON.stringify(description, null, 2)}\n` }],
  };
}
