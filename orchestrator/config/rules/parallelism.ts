/** World size vs GPU count (Truss T2/T3), v2 tensor parallelism, MoE expert parallelism (B7), nodes. */
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

const USUAL_WORLD_SIZES = new Set([1, 2, 4, 8, 16, 32, 64, 128]);

/** TP × PP × SP must equal the GPU count on v1; `tensor_parallel_size` must equal it on v2. */
export function parallelismRules(ctx: RuleContext): Finding[] {
  const acc = ctx.resources.accelerator;
  const out: Finding[] = [];
  const cfg = ctx.trtLlm;
  if (cfg.inference_stack === 'v1') {
    const b = cfg.build;
    const world = b.tensor_parallel_count * b.pipeline_parallel_count * b.sequence_parallel_count;
    if (acc && world !== acc.count) {
      // Point at the factor the user actually wrote that makes the product wrong (PP/SP before TP
      // when TP is still 1), and only suggest a change that would make the product match.
      const factors = [
        ['tensor_parallel_count', b.tensor_parallel_count],
        ['pipeline_parallel_count', b.pipeline_parallel_count],
        ['sequence_parallel_count', b.sequence_parallel_count],
      ] as const;
      const written = factors.filter(([k]) => ctx.userSet.has(`trt_llm.build.${k}`));
      const culprit = written.find(([, v]) => v !== 1) ?? written[0] ?? factors[0];
      const others = b.pipeline_parallel_count * b.sequence_parallel_count;
      const fix =
        acc.count % others === 0
          ? `tensor_parallel_count ${acc.count / others}`
          : `pipeline_parallel_count 1, sequence_parallel_count 1 and tensor_parallel_count ${acc.count}`;
      out.push(
        error(
          'WORLD_SIZE_MISMATCH',
          ['trt_llm', 'build', culprit[0]],
          // When no factor was written the path is missing and points at its parent mapping's key.
          `tensor_parallel_count × pipeline_parallel_count × sequence_parallel_count = ${b.tensor_parallel_count} × ${b.pipeline_parallel_count} × ${b.sequence_parallel_count} = ${world}, but resources.accelerator has ${acc.count} GPU(s); make them equal (e.g. accelerator ${acc.type}:${world} or ${fix})`,
        ),
      );
    }
    if (!USUAL_WORLD_SIZES.has(world)) {
      out.push(
        warning(
          'WORLD_SIZE_UNUSUAL',
          ['trt_llm', 'build', 'tensor_parallel_count'],
          `world size ${world} is unusual; typical world sizes are powers of two (1, 2, 4, 8)`,
        ),
      );
    }
    const moe = b.moe_expert_parallel_option;
    const moePath = ['trt_llm', 'build', 'moe_expert_parallel_option'];
    if (b.base_model === 'decoder' && moe !== -1) {
      if (moe <= 0)
        out.push(
          error(
            'MOE_EXPERT_PARALLEL_INVALID',
            moePath,
            `moe_expert_parallel_option must be -1 (automatic) or a positive number (got ${moe})`,
          ),
        );
      else if (moe > b.tensor_parallel_count) {
        out.push(
          error(
            'MOE_EXPERT_PARALLEL_TOO_LARGE',
            moePath,
            `moe_expert_parallel_option ${moe} cannot be greater than tensor_parallel_count ${b.tensor_parallel_count}`,
          ),
        );
      } else if (b.tensor_parallel_count % moe !== 0) {
        out.push(
          warning(
            'MOE_EXPERT_PARALLEL_NOT_DIVISOR',
            moePath,
            `tensor_parallel_count ${b.tensor_parallel_count} is not divisible by moe_expert_parallel_option ${moe}; this may be slow`,
          ),
        );
      }
    }
    if (ctx.resources.node_count > 1) {
      out.push(
        error(
          'MULTI_NODE_REQUIRES_V2',
          ['resources', 'node_count'],
          `node_count ${ctx.resources.node_count} needs inference_stack v2; the v1 engine stack runs on one node`,
        ),
      );
    }
  } else if (acc) {
    const tp = cfg.runtime.tensor_parallel_size;
    const gpus = acc.count * ctx.resources.node_count;
    if (tp !== gpus) {
      out.push(
        error(
          'V2_TENSOR_PARALLEL_MISMATCH',
          ['trt_llm', 'runtime', 'tensor_parallel_size'],
          // When unset the path is missing and points at its parent mapping's key.
          `runtime.tensor_parallel_size ${tp} must equal the GPU count ${gpus} (${acc.type}:${acc.count}${ctx.resources.node_count > 1 ? ` × ${ctx.resources.node_count} nodes` : ''}); set tensor_parallel_size: ${gpus}`,
        ),
      );
    }
  }
  const q = cfg.build.quantization_type;
  if ((q === 'fp8' || q === 'fp8_kv') && cfg.build.num_builder_gpus === null) {
    out.push(
      warning(
        'FP8_WITHOUT_NUM_BUILDER_GPUS',
        ['trt_llm', 'build', 'quantization_type'],
        'FP8 calibration can need much more GPU memory than serving; set build.num_builder_gpus to avoid OOM during the engine build',
      ),
    );
  }
  return out;
}
