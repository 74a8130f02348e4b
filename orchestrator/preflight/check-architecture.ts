/**
 * Architecture checks (pure): the pinned lane's converter/registry knows `architectures[0]`, the
 * chosen weight format is supported for it, `base_model` fits the kind of model, and the
 * converter family the planner guessed from the repo name is the checkpoint's.
 */
import { decoderFamilyFromArchitecture, inferDecoderFamily } from '../toolchain/model-family.js';
import { err, warn, type Finding } from './finding.js';
import type { ModelFacts } from './model-facts.js';
import type { PreflightSettings } from './settings.js';
import { archSupport, supportedArchitectures } from './support-table.js';

const B = 'trt_llm.build';
const FORMAT_NAME = { bf16: 'no_quant', fp8: 'FP8', nvfp4: 'NVFP4' } as const;

function baseModelFindings(f: ModelFacts, s: PreflightSettings, encoderArch: boolean): Finding[] {
  const bert = /^(Bert|Roberta|XLMRoberta)/.test(f.architecture);
  const path = `${B}.base_model`;
  if (s.baseModel === 'decoder' && encoderArch) {
    return [
      err(
        'PREFLIGHT_BASE_MODEL_MISMATCH',
        path,
        `the checkpoint is ${f.architecture}, an encoder; a decoder engine cannot be built from it: set base_model: ${bert ? 'encoder_bert' : 'encoder'}`,
      ),
    ];
  }
  if (s.baseModel === 'encoder_bert' && !bert) {
    return [
      err(
        'PREFLIGHT_BASE_MODEL_MISMATCH',
        path,
        `base_model encoder_bert needs a BERT/RoBERTa checkpoint, but this one is ${f.architecture}: use base_model: ${encoderArch ? 'encoder' : 'decoder'}`,
      ),
    ];
  }
  if (s.baseModel === 'encoder' && bert) {
    return [
      err(
        'PREFLIGHT_BASE_MODEL_MISMATCH',
        path,
        `${f.architecture} is a BERT-family model, served by BEI-Bert: set base_model: encoder_bert`,
      ),
    ];
  }
  if (s.baseModel === 'encoder' && f.architecture.startsWith('Whisper')) {
    return [
      err(
        'PREFLIGHT_BASE_MODEL_MISMATCH',
        path,
        `${f.architecture} is a speech model, not an embedding encoder: use base_model: decoder`,
      ),
    ];
  }
  return [];
}

/** Architecture, format, base_model and converter-family findings. */
export function checkArchitecture(f: ModelFacts, s: PreflightSettings): Finding[] {
  const out: Finding[] = [];
  const sup = archSupport(f.architecture);
  const stackPath = 'trt_llm.inference_stack';
  if (sup === null) {
    out.push(
      warn(
        'PREFLIGHT_ARCH_UNVERIFIED',
        `${B}.checkpoint_repository.repo`,
        `architecture ${f.architecture} is not in pre-flight's support table for TensorRT-LLM 1.2 (${supportedArchitectures(s.stack).join(', ')}); the build may fail in ${s.stack === 'v1' ? 'trtllm-build ("Unsupported model architecture")' : 'the PyTorch backend ("Unknown model architecture")'}`,
      ),
    );
  } else {
    const st = sup[s.stack];
    const other = sup[s.stack === 'v1' ? 'v2' : 'v1'];
    if (st.arch === 'no') {
      const fix =
        other.arch !== 'no'
          ? `set inference_stack: ${s.stack === 'v1' ? 'v2' : 'v1'}`
          : 'no 1.2 stack builds it; pick a supported model';
      out.push(
        err(
          'PREFLIGHT_ARCH_UNSUPPORTED',
          s.stack === 'v1' ? `${B}.checkpoint_repository.repo` : stackPath,
          `the ${s.stack === 'v1' ? 'engine (v1)' : 'PyTorch (v2)'} stack of TensorRT-LLM 1.2 has no converter for ${f.architecture}${st.note ? ` (${st.note})` : ''}: ${fix}`,
        ),
      );
    } else {
      if (st.arch === 'limited') {
        out.push(
          warn(
            'PREFLIGHT_ARCH_LIMITED',
            `${B}.checkpoint_repository.repo`,
            `${f.architecture} on the ${s.stack} stack: ${st.note}`,
          ),
        );
      }
      if (s.weightFormat !== 'bf16') {
        const level = st[s.weightFormat];
        const path = `${B}.quantization_type`;
        const name = FORMAT_NAME[s.weightFormat];
        if (level === 'no') {
          const alt = st.fp8 === 'yes' && s.weightFormat !== 'fp8' ? 'fp8' : 'no_quant';
          out.push(
            err(
              'PREFLIGHT_FORMAT_UNSUPPORTED',
              path,
              `${name} weights are not supported for ${f.architecture} on the ${s.stack} stack of TensorRT-LLM 1.2${st.note ? ` (${st.note})` : ''}: use quantization_type: ${alt}`,
            ),
          );
        } else if (level !== 'yes') {
          out.push(
            warn(
              'PREFLIGHT_FORMAT_UNVERIFIED',
              path,
              `${name} weights for ${f.architecture} on the ${s.stack} stack are ${level === 'limited' ? 'documented only with limits' : 'not documented'} for TensorRT-LLM 1.2${st.note ? ` (${st.note})` : ''}; expect a build or accuracy failure, or use no_quant`,
            ),
          );
        }
      }
    }
    out.push(...baseModelFindings(f, s, sup.encoder));
  }
  if (sup === null) out.push(...baseModelFindings(f, s, /^(Bert|Roberta|XLMRoberta)/.test(f.architecture)));
  if (s.stack === 'v1' && s.baseModel === 'decoder' && s.checkpoint !== null && s.checkpoint.source !== 'REMOTE_URL') {
    const guessed = inferDecoderFamily(s.checkpoint.repo).family;
    const actual = decoderFamilyFromArchitecture(f.architecture).family;
    if (guessed !== actual) {
      out.push(
        warn(
          'PREFLIGHT_FAMILY_GUESS_WRONG',
          `${B}.checkpoint_repository.repo`,
          `the plan converts this checkpoint as family ${guessed} (guessed from the repository name), but config.json says ${f.architecture} (family ${actual}); the planned convert step does not match this checkpoint: plan it with the checkpoint's architecture (planner option checkpointArchitecture)`,
        ),
      );
    }
  }
  return out;
}
