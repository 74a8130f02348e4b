/** Quantization × GPU (Truss C4–C6, gpu_matrix) and the T4/V100 support rule. */
import { gpuInfo, PRECISION_MIN_SM } from '../../gpu/catalog.js';
import { FP4_FAMILY, FP8_FAMILY } from '../schema/enums.js';
import { error } from './types.js';
import type { Finding, RuleContext } from './types.js';

const QUANT = ['trt_llm', 'build', 'quantization_type'] as const;

/** The GPU must run TensorRT-LLM and support the requested precision. */
export function gpuRules(ctx: RuleContext): Finding[] {
  const acc = ctx.resources.accelerator;
  if (!acc) return [];
  const info = gpuInfo(acc.type);
  const { base_model, quantization_type } = ctx.trtLlm.build;
  const out: Finding[] = [];
  if (!info.trtLlmSupported && !(ctx.trtLlm.inference_stack === 'v1' && base_model === 'encoder_bert')) {
    out.push(
      error(
        'GPU_NOT_SUPPORTED',
        ctx.acceleratorPath,
        `TensorRT-LLM does not support ${acc.type} (SM ${(info.sm / 10).toFixed(1)}); the minimum is SM 8.0 (A100, A10G). Only base_model encoder_bert may run on T4/V100`,
      ),
    );
  }
  if (FP4_FAMILY.includes(quantization_type) && info.sm < PRECISION_MIN_SM.fp4) {
    out.push(
      error(
        'FP4_REQUIRES_SM100',
        [...QUANT],
        `${quantization_type} needs a Blackwell GPU (SM >= 10.0: B200, B300, GB300, RTX_PRO_6000, B10); ${acc.type} is SM ${(info.sm / 10).toFixed(1)}. Use fp8${info.sm >= PRECISION_MIN_SM.fp8 ? '' : ' on an SM >= 8.9 GPU'} or no_quant`,
      ),
    );
  } else if (FP8_FAMILY.includes(quantization_type) && info.sm < PRECISION_MIN_SM.fp8) {
    out.push(
      error(
        'FP8_REQUIRES_SM89',
        [...QUANT],
        `${quantization_type} needs SM >= 8.9 (L4, L40S, H100, H100_40GB, H200 or Blackwell); ${acc.type} is SM ${(info.sm / 10).toFixed(1)}. Use no_quant or a newer GPU`,
      ),
    );
  }
  return out;
}
