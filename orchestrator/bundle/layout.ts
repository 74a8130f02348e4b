/**
 * The published bundle layout, shared by the planner's tests, publish and verify:
 *
 *   artifact/        engine dir (config.json + rank<N>.engine) or HF checkpoint dir
 *   tokenizer/       the checkpoint's tokenizer and HF config files (those it has)
 *   launch/          launch files (LLM API YAML, Triton model repository, encoder description)
 *   manifest.json    written last; lists every other file with size and sha256
 *
 * Served, the bundle is mounted at `/models` (`RUNTIME.root`). Pure constants.
 */
import { RUNTIME } from '../toolchain/layout.js';

export const BUNDLE_ARTIFACT_DIR = 'artifact';
export const BUNDLE_TOKENIZER_DIR = 'tokenizer';
export const BUNDLE_LAUNCH_DIR = 'launch';
export const BUNDLE_MANIFEST = 'manifest.json';
/** Where a bundle is mounted when served. */
export const BUNDLE_MOUNT = RUNTIME.root;

/**
 * Tokenizer and HF config files a Hugging Face checkpoint may have (runtime-facts §1), copied
 * into `tokenizer/` when present; any of them may be absent in a given repository.
 */
export const TOKENIZER_FILES: readonly string[] = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'vocab.txt',
  'added_tokens.json',
  'generation_config.json',
  'config.json',
];

/** Files from which `AutoTokenizer` can build a tokenizer (at least one must be present). */
export const TOKENIZER_VOCAB_FILES: readonly string[] = [
  'tokenizer.json',
  'tokenizer.model',
  'vocab.json',
  'vocab.txt',
];
