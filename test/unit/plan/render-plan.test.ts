import { describe, expect, it } from 'vitest';
import { planFiles } from '../../../orchestrator/plan/plan-files.js';
import { renderPlanText } from '../../../orchestrator/plan/render-plan.js';
import { shellJoin, shellQuote } from '../../../orchestrator/plan/shell-quote.js';
import type { BuildPlan } from '../../../orchestrator/plan/types.js';
import { V1, plan } from './fixtures.js';

describe('shellQuote', () => {
  it.each([
    ['/workspace/engine', '/workspace/engine'],
    ['--max_batch_size', '--max_batch_size'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
    ['x;y', "'x;y'"],
  ])('%j → %s', (arg, quoted) => expect(shellQuote(arg)).toBe(quoted));
  it('joins an argv', () => expect(shellJoin(['echo', 'a b', 'c'])).toBe("echo 'a b' c"));
});

describe('renderPlanText', () => {
  const p = plan(V1);
  const text = renderPlanText(p);

  it('shows the hash, image, target, each step with its GPUs and shell-quoted command, launch configs and assumptions', () => {
    expect(text.startsWith(`plan ${p.planHash}\n`)).toBe(true);
    expect(text).toContain('image nvcr.io/nvidia/tensorrt-llm/release:1.2.1');
    expect(text).toContain('target H100 x 1 (SM 90); builder H100 x 1');
    expect(text).toMatch(/2\. \[quantize\] .*\(1 GPU, timeout \d+s\)/);
    expect(text).toContain(
      '   $ python3 /app/tensorrt_llm/examples/quantization/quantize.py --model_dir /workspace/checkpoint',
    );
    expect(text).toContain('   checkpoint: HF meta-llama/Llama-3.1-8B-Instruct@main -> /workspace/checkpoint');
    expect(text).toContain('   secrets (names): hf_access_token');
    expect(text).toContain(
      '- trtllm-serve (trtllm-serve):\n  image: nvcr.io/nvidia/tensorrt-llm/release:1.2.1\n  $ trtllm-serve /models/artifact --backend tensorrt',
    );
    expect(text).toContain(
      '- triton (triton):\n  image: ghcr.io/trt-orchestrator/tritonserver-trtllm:1.2.1\n  $ mpirun --allow-run-as-root -n 1 tritonserver',
    );
    expect(text).toContain('  file launch/extra_llm_api_options.yaml:\n    max_batch_size: 64');
    expect(text).toContain('assumptions:\n- model family llama');
  });

  it('quotes hostile values and escapes control characters', () => {
    const hostile: BuildPlan = {
      ...p,
      steps: p.steps.map((s) => (s.kind === 'engine_build' ? { ...s, argv: [...s.argv, 'a b\u001b[31m'] } : s)),
    };
    const out = renderPlanText(hostile);
    expect(out).not.toContain('\u001b');
    expect(out).toContain("'a b\\u001b[31m'");
  });
});

describe('planFiles', () => {
  it('writes plan.json, each launch file at its published path, and the launch commands', () => {
    const p = plan(V1);
    const files = planFiles(p);
    expect(files.map((f) => f.path)).toEqual([
      'plan.json',
      'launch/extra_llm_api_options.yaml',
      'launch/triton/tensorrt_llm/config.pbtxt',
      'launch/triton/tensorrt_llm/1/README.txt',
      'launch/commands.json',
    ]);
    expect(JSON.parse(files[0]?.content ?? '')).toEqual(JSON.parse(JSON.stringify(p)));
    expect(files[1]?.content).toBe(p.launch['trtllm-serve']?.files[0]?.content);
    expect(JSON.parse(files[4]?.content ?? '')).toEqual({
      'trtllm-serve': { server: 'trtllm-serve', image: p.lane.image, argv: p.launch['trtllm-serve']?.argv },
      triton: { server: 'triton', image: p.lane.tritonImage, argv: p.launch['triton']?.argv },
    });
    // The serve command reads its YAML from the published launch dir, at the same relative path.
    expect(p.launch['trtllm-serve']?.argv).toContain('/models/launch/extra_llm_api_options.yaml');
    for (const f of files) expect(f.path).not.toMatch(/(^|\/)\.\.(\/|$)|^\//);
  });
});
