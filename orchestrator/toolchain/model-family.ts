/**
 * Which converter a checkpoint needs. The architecture lives in the checkpoint's config.json,
 * which the planner cannot read offline, so it is inferred from the repository name and the
 * plan records the assumption and its reason.
 */
import type { WebserverRoute } from '../config/schema/enums.js';

/** Decoder families with a convert_checkpoint.py in the pinned lane; `generic` goes through ModelOpt. */
export type DecoderFamily = 'llama' | 'qwen' | 'generic';

/** BERT-family classes the pinned BERT converter accepts. */
export type BertModelClass =
  | 'BertModel'
  | 'BertForSequenceClassification'
  | 'RobertaModel'
  | 'RobertaForSequenceClassification';

const LLAMA_NAMES = /(^|[^a-z])(llama|mistral|mixtral|codellama|tinyllama|vicuna)/;
const QWEN_NAMES = /qwen/;
const ROBERTA_NAMES = /roberta|xlm|bge-reranker|bge-m3|multilingual-e5/;

/** The decoder family guessed from the repo name, with the reason in words. */
export function inferDecoderFamily(repo: string): { family: DecoderFamily; reason: string } {
  const name = repo.toLowerCase();
  if (QWEN_NAMES.test(name)) {
    return { family: 'qwen', reason: `repository ${JSON.stringify(repo)} names a Qwen model` };
  }
  if (LLAMA_NAMES.test(name)) {
    return { family: 'llama', reason: `repository ${JSON.stringify(repo)} names a Llama/Mistral-architecture model` };
  }
  return {
    family: 'generic',
    reason: `repository ${JSON.stringify(repo)} names no family with a convert_checkpoint.py in the pinned lane (llama, qwen); the checkpoint is exported through quantize.py (ModelOpt) instead`,
  };
}

/** The BERT converter's `--model` class for an encoder_bert checkpoint and route. */
export function inferBertClass(repo: string, route: WebserverRoute): { cls: BertModelClass; reason: string } {
  const roberta = ROBERTA_NAMES.test(repo.toLowerCase());
  const classifier = route === '/rerank' || route === '/predict';
  const cls: BertModelClass = roberta
    ? classifier
      ? 'RobertaForSequenceClassification'
      : 'RobertaModel'
    : classifier
      ? 'BertForSequenceClassification'
      : 'BertModel';
  const arch = roberta ? 'a (XLM-)RoBERTa model' : 'a BERT model';
  const head = classifier ? `a sequence classifier (route ${route})` : `an embedding model (route ${route})`;
  return { cls, reason: `assumed ${JSON.stringify(repo)} is ${arch} used as ${head}` };
}

/** The decoder family of a known architecture (`architectures[0]` of config.json). */
export function decoderFamilyFromArchitecture(arch: string): { family: DecoderFamily; reason: string } {
  const family: DecoderFamily = /^(Llama|Mistral|Mixtral)/.test(arch)
    ? 'llama'
    : /^(Qwen|QWen)/.test(arch)
      ? 'qwen'
      : 'generic';
  const via =
    family === 'generic'
      ? '; no convert_checkpoint.py for it in the pinned lane, exported through quantize.py (ModelOpt)'
      : '';
  return { family, reason: `checkpoint architecture ${arch}${via}` };
}

/** The BERT converter class for a known architecture, or undefined when the converter has none. */
export function bertClassFromArchitecture(arch: string): BertModelClass | undefined {
  const roberta = /^(XLMRoberta|Roberta)/.test(arch);
  if (!roberta && !/^Bert/.test(arch)) return undefined;
  if (arch.endsWith('ForSequenceClassification'))
    return roberta ? 'RobertaForSequenceClassification' : 'BertForSequenceClassification';
  if (arch.endsWith('Model')) return roberta ? 'RobertaModel' : 'BertModel';
  return undefined;
}
