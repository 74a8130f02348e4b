import { describe, expect, it } from 'vitest';
import { classifyFailure, describeExit, isSuccess } from '../../../orchestrator/exec/classify-failure.js';
import type { ProcessResult } from '../../../orchestrator/exec/types.js';

function r(over: Partial<ProcessResult>): ProcessResult {
  return { exitCode: 1, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 1234, ...over };
}

describe('classifyFailure', () => {
  it.each([
    [
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB of which 1.06 GiB is free.',
    ],
    ['torch.cuda.OutOfMemoryError: CUDA out of memory.'],
    [
      'RuntimeError: [TensorRT-LLM][ERROR] CUDA runtime error in cudaMalloc(&ptr, n): out of memory (/src/cpp/tensorrt_llm/runtime/tllmBuffers.h:72)',
    ],
    [
      '[11/28/2026-01:02:03] [TRT] [E] 2: [virtualMemoryBuffer.cpp::resizePhysical::140] Error Code 2: OutOfMemory (no further information)',
    ],
    ['cudaErrorMemoryAllocation'],
    ['RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`'],
  ])('CUDA OOM: %s', (line) => {
    const f = classifyFailure(r({ tail: `[TensorRT-LLM] loading weights\n${line}\nTraceback end` }));
    expect(f.class).toBe('cuda_oom');
    expect(f.code).toBe('STEP_CUDA_OOM');
    expect(f.retryable).toBe(false);
    expect(f.advice).toContain('num_builder_gpus');
    expect(f.message).toContain(line.slice(0, 40));
    expect(f.message).toContain('exit code 1');
  });

  it('CUDA OOM text wins over a SIGKILL that followed it', () => {
    expect(classifyFailure(r({ exitCode: 137, tail: 'CUDA out of memory' })).class).toBe('cuda_oom');
  });

  it.each([
    [{ exitCode: 137 }],
    [{ exitCode: null, signal: 'SIGKILL' }],
    [{ exitCode: 1, tail: 'Traceback\nMemoryError' }],
    [{ exitCode: 134, tail: "terminate called after throwing an instance of 'std::bad_alloc'" }],
    [{ exitCode: 1, tail: 'loading\nKilled\n' }],
  ] as const)('host OOM kill: %j', (over) => {
    const f = classifyFailure(r(over));
    expect(f.class).toBe('host_oom_killed');
    expect(f.code).toBe('STEP_HOST_OOM');
    expect(f.retryable).toBe(false);
  });

  it('a SIGKILL that we sent on cancel is a cancel, not an OOM', () => {
    expect(classifyFailure(r({ exitCode: null, signal: 'SIGKILL', canceled: true })).class).toBe('canceled');
    expect(classifyFailure(r({ exitCode: 137, canceled: true })).code).toBe('STEP_CANCELED');
  });

  it('a timeout is a timeout even when the tail looks like something else', () => {
    const f = classifyFailure(
      r({ exitCode: null, signal: 'SIGTERM', timedOut: true, tail: 'ConnectionError', durationMs: 61_000 }),
    );
    expect(f.class).toBe('timeout');
    expect(f.code).toBe('STEP_TIMEOUT');
    expect(f.message).toContain('timed out after 61 s');
  });

  it.each([
    ['trtllm-build: error: unrecognized arguments: --bogus_flag 3'],
    ["quantize.py: error: argument --qformat: invalid choice: 'fp9' (choose from 'fp8', 'int8_sq')"],
    ['convert_checkpoint.py: error: the following arguments are required: --output_dir'],
    ["trtllm-build: error: argument --max_batch_size: invalid int value: 'many'"],
    ['Error: No such option: --tp'],
  ])('bad argument: %s', (line) => {
    const f = classifyFailure(r({ exitCode: 2, tail: `usage: tool [-h]\n${line}` }));
    expect(f.class).toBe('bad_argument');
    expect(f.code).toBe('STEP_BAD_ARGUMENT');
    expect(f.message).toContain(line);
  });

  it('bare exit 2 is a bad argument too', () => {
    expect(classifyFailure(r({ exitCode: 2, tail: 'usage: x' })).class).toBe('bad_argument');
  });

  it.each([
    [
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models",
    ],
    ['urllib3.exceptions.ReadTimeoutError: Read timed out. (read timeout=10)'],
    ['OSError: [Errno -3] Temporary failure in name resolution'],
    ['huggingface_hub.errors.HfHubHTTPError: 503 Server Error: Service Unavailable for url: https://huggingface.co/x'],
    ['429 Client Error: Too Many Requests for url: https://huggingface.co/x'],
    ['Error: read ECONNRESET'],
  ])('network: %s', (line) => {
    const f = classifyFailure(r({ tail: line }));
    expect(f.class).toBe('network');
    expect(f.code).toBe('STEP_NETWORK');
    expect(f.retryable).toBe(true);
  });

  it.each([
    ['huggingface_hub.errors.GatedRepoError: 403 Client Error. Cannot access gated repo'],
    ['401 Client Error: Unauthorized for url: https://huggingface.co/api/models/meta-llama/x'],
    ['botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject operation'],
  ])('access denied is a user fault, not a network retry: %s', (line) => {
    const f = classifyFailure(r({ tail: line }));
    expect(f.code).toBe('STEP_ACCESS_DENIED');
    expect(f.class).toBe('bad_argument');
    expect(f.retryable).toBe(false);
    expect(f.advice).toContain('secret');
  });

  it.each([
    [
      {
        exitCode: 125,
        tail: 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
      },
    ],
    [{ exitCode: 125, tail: '' }],
    [{ exitCode: 126, tail: '' }],
    [{ exitCode: 127, tail: 'exec: "trtllm-buld": executable file not found in $PATH' }],
    [{ exitCode: 1, tail: 'nvidia-container-cli: initialization error: nvml error: driver not loaded' }],
  ] as const)('container runtime: %j', (over) => {
    const f = classifyFailure(r(over));
    expect(f.class).toBe('container_runtime');
    expect(f.code).toBe('STEP_CONTAINER_RUNTIME');
    expect(f.retryable).toBe(true);
  });

  it('image pulls: a refused pull is access denied, a network hiccup during a pull is retried', () => {
    const denied = classifyFailure(
      r({
        exitCode: 125,
        tail: "docker: Error response from daemon: pull access denied for nvcr.io/nvidia/x, repository does not exist or may require 'docker login'.",
      }),
    );
    expect(denied.code).toBe('STEP_ACCESS_DENIED');
    const flaky = classifyFailure(
      r({
        exitCode: 125,
        tail: 'docker: Error response from daemon: Get "https://nvcr.io/v2/": dial tcp: lookup nvcr.io: Temporary failure in name resolution.',
      }),
    );
    expect(flaky.retryable).toBe(true);
  });

  it('exit 125 from a local tool is not docker failing', () => {
    expect(classifyFailure(r({ exitCode: 125, tail: 'odd' }), 'local').class).toBe('unknown');
  });

  it('unknown: carries the last line as evidence', () => {
    const f = classifyFailure(r({ exitCode: 1, tail: 'step 1\nValueError: something odd\n\n' }));
    expect(f.class).toBe('unknown');
    expect(f.code).toBe('STEP_FAILED');
    expect(f.message).toContain('ValueError: something odd');
  });

  it('clips enormous evidence lines', () => {
    const f = classifyFailure(r({ tail: `CUDA out of memory ${'x'.repeat(10_000)}` }));
    expect(f.message.length).toBeLessThan(500);
  });

  it('isSuccess and describeExit', () => {
    expect(isSuccess(r({ exitCode: 0 }))).toBe(true);
    expect(isSuccess(r({ exitCode: 0, canceled: true }))).toBe(false);
    expect(isSuccess(r({ exitCode: 0, signal: 'SIGTERM' }))).toBe(false);
    expect(describeExit(r({ exitCode: null, signal: 'SIGKILL' }))).toBe('killed by SIGKILL');
    expect(describeExit(r({ exitCode: null }))).toBe('no exit code');
    expect(describeExit(r({ canceled: true }))).toBe('cancelled');
  });
});
