/**
 * Launch description of an encoder engine (BEI / BEI-Bert style): text-embeddings-router with the
 * engine path, the default route and the batch limits Truss uses for these stacks.
 */
import type { LaunchConfig } from '../plan/types.js';
import { RUNTIME } from './layout.js';
import type { EncoderLaunchSettings } from './engine-settings.js';

export const ENCODER_LAUNCH_FILE = 'encoder.json';
/** The encoder (causal) server needs at least this many tokens per batch. */
export const ENCODER_MIN_MAX_NUM_TOKENS = 16384;

/** `text-embeddings-router` argv and a JSON description of the engine it serves. */
export function encoderLaunch(l: EncoderLaunchSettings): LaunchConfig {
  const bert = l.kind === 'encoder_bert';
  const maxBatchRequests = Math.min(l.maxBatchSize, bert ? 1024 : 32);
  const maxBatchTokens = Math.max(l.maxNumTokens, bert ? 1024 : ENCODER_MIN_MAX_NUM_TOKENS);
  const argv = [
    'text-embeddings-router',
    '--model-id', RUNTIME.tokenizerDir,
    '--port', '7997',
    '--max-batch-requests', String(maxBatchRequests),
    '--max-batch-tokens', String(maxBatchTokens),
    '--max-client-batch-size', '128',
    '--max-concurrent-requests', '2048',
    ...(bert ? ['--auto-truncate'] : []),
  ];
  const description = {
    kind: l.kind,
    engine_path: RUNTIME.engineDir,
    tokenizer_path: RUNTIME.tokenizerDir,
    webserver_default_route: l.route,
    max_batch_size: l.maxBatchSize,
    max_num_tokens: l.maxNumTokens,
    max_seq_len: l.maxSeqLen,
  };
  return {
    server: 'text-embeddings-router',
    argv,
    files: [{ path: ENCODER_LAUNCH_FILE, content: `${JSON.stringify(description, null, 2)}\n` }],
  };
}
