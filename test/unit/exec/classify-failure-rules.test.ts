// classifyFailure, one row per pattern (and per alternative inside a pattern), the order in which
// classes win, every exit-code rule, and the message/evidence format.
import { describe, expect, it } from 'vitest';
import { ADVICE } from '../../../orchestrator/build/decide-outcome.js';
import { errorCodeInfo } from '../../../orchestrator/build/error-codes.js';
import { classifyFailure, describeExit, isSuccess } from '../../../orchestrator/exec/classify-failure.js';
import type { ProcessResult } from '../../../orchestrator/exec/types.js';

function r(over: Partial<ProcessResult>): ProcessResult {
  return { exitCode: 1, signal: null, timedOut: false, canceled: false, tail: '', durationMs: 1234, ...over };
}

type Cls = ReturnType<typeof classifyFailure>['class'];
/** Every line matches exactly one pattern of its class; exit 1 unless stated. */
const LINES: ReadonlyArray<readonly [Cls, string]> = [
  ['cuda_oom', 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB'],
  ['cuda_oom', 'cuda OUT OF MEMORY'],
  ['cuda_oom', 'raised OutOfMemoryError here'],
  ['cuda_oom', 'cudaErrorMemoryAllocation'],
  ['cuda_oom', 'CUBLAS_STATUS_ALLOC_FAILED'],
  ['cuda_oom', '[TRT] [E] error code 2: outofmemory (no further information)'],
  ['cuda_oom', 'CUDA error: an illegal thing: out of memory'],
  ['cuda_oom', 'CUDA runtime error in x(): out of memory'],
  ['cuda_oom', 'cudaMalloc failed: out of memory'],
  ['cuda_oom', '[TensorRT-LLM][ERROR] Cuda Runtime (out of memory)'],
  ['host_oom_killed', 'Killed'],
  ['host_oom_killed', '   Killed   '],
  ['host_oom_killed', 'MemoryError'],
  ['host_oom_killed', "terminate called after throwing an instance of 'std::bad_alloc'"],
  ['host_oom_killed', 'OSError: [Errno 12] cannot allocate memory'],
  ['bad_argument', '403 Client Error: Forbidden for url'],
  ['bad_argument', '401 Client Error: Unauthorized for url'],
  ['bad_argument', 'huggingface_hub.errors.GatedRepoError: x'],
  ['bad_argument', 'huggingface_hub.errors.RepositoryNotFoundError: x'],
  ['bad_argument', 'huggingface_hub.errors.RevisionNotFoundError: x'],
  ['bad_argument', 'Access to model meta-llama/x is restricted. You must be authenticated'],
  ['bad_argument', 'An error occurred (AccessDenied) when calling GetObject'],
  ['bad_argument', 'An error occurred (InvalidAccessKeyId)'],
  ['bad_argument', 'An error occurred (SignatureDoesNotMatch)'],
  ['bad_argument', 'An error occurred (ExpiredToken)'],
  ['bad_argument', 'Error response: PULL ACCESS DENIED for nvcr.io/x'],
  ['bad_argument', 'Unauthorized: Authentication Required'],
  ['container_runtime', 'could not select device driver "" with capabilities: [[gpu]]'],
  ['container_runtime', 'nvidia-container-cli: initialization error: nvml error'],
  ['container_runtime', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock'],
  ['container_runtime', 'OCI runtime create failed: runc'],
  ['container_runtime', 'OCI runtime exec failed: x'],
  ['container_runtime', 'failed to create task for container: x'],
  ['container_runtime', 'exec: "trtllm-buld": executable file not found in $PATH'],
  ['container_runtime', 'docker: Error response from daemon: conflict'],
  ['bad_argument', 'trtllm-build: error: unrecognized arguments: --bogus 3'],
  ['bad_argument', "error: argument --qformat: invalid choice: 'fp9'"],
  ['bad_argument', "error: argument --max_batch_size: invalid int value: 'many'"],
  ['bad_argument', "error: argument --fraction: invalid float value: 'x'"],
  ['bad_argument', 'error: the following arguments are required: --output_dir'],
  ['bad_argument', 'error: argument --tp_size: expected one argument'],
  ['bad_argument', 'error: argument --files: expected at least one argument'],
  ['bad_argument', 'error: argument --a: not allowed with argument --b'],
  ['bad_argument', 'Error: No such option: --tp'],
  ['bad_argument', "Error: Invalid value for '--backend': 'x'"],
  ['bad_argument', "Error: Missing argument 'MODEL'."],
  ['bad_argument', "Error: Missing option '--model'."],
  ['network', 'requests.exceptions.ConnectionError: boom'],
  ['network', 'urllib3.exceptions.MaxRetryError: x'],
  ['network', 'Max retries exceeded with url: /api'],
  ['network', 'connection refused'],
  ['network', 'Connection reset by peer'],
  ['network', 'Connection aborted.'],
  ['network', 'Connection timed out'],
  ['network', 'temporary failure in name resolution'],
  ['network', 'name or service not known'],
  ['network', 'network is unreachable'],
  ['network', 'requests.exceptions.ReadTimeout: x'],
  ['network', 'requests.exceptions.ConnectTimeout: x'],
  ['network', 'urllib3.exceptions.ReadTimeoutError: x'],
  ['network', 'urllib3.exceptions.ConnectTimeoutError: x'],
  ['network', 'read timed out'],
  ...['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE'].map((e): readonly [Cls, string] => [
    'network',
    `Error: read ${e}`,
  ]),
  ['network', '429 Client Error: Too Many Requests'],
  ...['500', '502', '503', '504'].map((c): readonly [Cls, string] => ['network', `${c} Server Error: x`]),
  ['network', 'HTTP Error 599: odd'],
  ['network', 'net/http: TLS handshake timeout'],
  ['network', 'ssl.SSLError: x'],
  ['network', 'http.client.IncompleteRead: x'],
  ['network', 'http.client.RemoteDisconnected: x'],
  ['network', 'requests.exceptions.ChunkedEncodingError: x'],
  ['network', 'dial tcp 1.2.3.4:443: i/o timeout'],
];

const CODE: Record<Cls, string> = {
  cuda_oom: 'STEP_CUDA_OOM',
  host_oom_killed: 'STEP_HOST_OOM',
  timeout: 'STEP_TIMEOUT',
  canceled: 'STEP_CANCELED',
  bad_argument: 'STEP_BAD_ARGUMENT',
  network: 'STEP_NETWORK',
  container_runtime: 'STEP_CONTAINER_RUNTIME',
  unknown: 'STEP_FAILED',
};
const DENIED = new Set(LINES.slice(15, 27).map(([, l]) => l));

describe('classifyFailure: one row per pattern', () => {
  it.each(LINES)('%s ← %s', (cls, line) => {
    const f = classifyFailure(r({ tail: `step output\n${line}\nlast line` }));
    expect(f.class).toBe(cls);
    const code = DENIED.has(line) ? 'STEP_ACCESS_DENIED' : CODE[cls];
    expect(f.code).toBe(code);
    expect(f.message).toBe(`${errorCodeInfo(f.code).summary} (exit code 1): ${line.trim()}`);
    expect(f.retryable).toBe(errorCodeInfo(f.code).retryable);
    if (code !== 'STEP_ACCESS_DENIED') expect(f.advice).toBe(ADVICE[cls]);
  });

  it('near misses fall through to unknown', () => {
    for (const line of [
      'Process Killed by user',
      'the build step was Killed',
      '\tworker 3: Killed',
      'Killed by user request',
      'error: argument --x: invalid literal',
      'Connection established',
      'HTTP Error 404: Not Found',
      '404 Client Error',
      'memory usage: 12 GiB',
      'EPIPES',
    ]) {
      expect(classifyFailure(r({ tail: line })).class, line).toBe('unknown');
    }
  });
});

describe('classifyFailure: which class wins', () => {
  it('cancel beats a timeout, which beats everything in the tail', () => {
    expect(classifyFailure(r({ canceled: true, timedOut: true, tail: 'CUDA out of memory' })).class).toBe('canceled');
    expect(classifyFailure(r({ timedOut: true, tail: 'CUDA out of memory' })).class).toBe('timeout');
  });
  it('CUDA OOM beats a host kill; a host kill beats access, runtime, arguments and network', () => {
    expect(classifyFailure(r({ exitCode: 137, tail: 'CUDA out of memory' })).class).toBe('cuda_oom');
    expect(classifyFailure(r({ exitCode: 137, tail: '401 Client Error' })).class).toBe('host_oom_killed');
    expect(classifyFailure(r({ exitCode: null, signal: 'SIGKILL', tail: 'ConnectionError' })).class).toBe(
      'host_oom_killed',
    );
    expect(classifyFailure(r({ tail: 'MemoryError\nConnectionError' })).class).toBe('host_oom_killed');
  });
  it('access denied beats the container runtime and exit 127; the runtime beats arguments; arguments beat network', () => {
    expect(
      classifyFailure(r({ exitCode: 125, tail: 'docker: Error response from daemon: pull access denied' })).code,
    ).toBe('STEP_ACCESS_DENIED');
    expect(classifyFailure(r({ exitCode: 127, tail: '403 Client Error' })).code).toBe('STEP_ACCESS_DENIED');
    expect(classifyFailure(r({ tail: 'OCI runtime create failed\nerror: unrecognized arguments: x' })).class).toBe(
      'container_runtime',
    );
    expect(classifyFailure(r({ tail: 'error: unrecognized arguments: x\nConnectionError' })).class).toBe(
      'bad_argument',
    );
  });
});

describe('classifyFailure: exit codes', () => {
  it('exit 127 and 126 are the runtime for both executors; 125 only for docker', () => {
    for (const executor of ['docker', 'local'] as const) {
      expect(classifyFailure(r({ exitCode: 127 }), executor).class).toBe('container_runtime');
      expect(classifyFailure(r({ exitCode: 126 }), executor).class).toBe('container_runtime');
    }
    expect(classifyFailure(r({ exitCode: 125 })).class).toBe('container_runtime');
    expect(classifyFailure(r({ exitCode: 125 }), 'docker').class).toBe('container_runtime');
    expect(classifyFailure(r({ exitCode: 125 }), 'local').class).toBe('unknown');
    expect(classifyFailure(r({ exitCode: 124 })).class).toBe('unknown');
    expect(classifyFailure(r({ exitCode: 128 })).class).toBe('unknown');
  });
  it('a bad argument is found by its text whatever the exit code', () => {
    for (const exitCode of [1, 2, 3, 255]) {
      expect(classifyFailure(r({ exitCode, tail: 'error: unrecognized arguments: --x' })).class).toBe('bad_argument');
    }
  });
  it('bare exit 2 is a bad argument with the last line as evidence; bare exit 1 and 3 are unknown', () => {
    const two = classifyFailure(r({ exitCode: 2, tail: 'usage: tool [-h]\n  odd  \n\n' }));
    expect(two).toMatchObject({
      class: 'bad_argument',
      code: 'STEP_BAD_ARGUMENT',
      message: `${errorCodeInfo('STEP_BAD_ARGUMENT').summary} (exit code 2): odd`,
    });
    expect(classifyFailure(r({ exitCode: 1, tail: 'x' })).class).toBe('unknown');
    expect(classifyFailure(r({ exitCode: 3, tail: 'x' })).class).toBe('unknown');
  });
  it('exit 137 and SIGKILL without text are host kills, with no evidence', () => {
    const f = classifyFailure(r({ exitCode: 137 }));
    expect(f).toMatchObject({
      class: 'host_oom_killed',
      message: `${errorCodeInfo('STEP_HOST_OOM').summary} (exit code 137)`,
    });
    expect(classifyFailure(r({ exitCode: null, signal: 'SIGKILL' })).message).toBe(
      `${errorCodeInfo('STEP_HOST_OOM').summary} (killed by SIGKILL)`,
    );
    expect(classifyFailure(r({ exitCode: null, signal: 'SIGTERM' })).class).toBe('unknown');
  });
  it('an empty tail with exit 1 is an unknown failure without evidence (no crash)', () => {
    for (const tail of ['', '\n', '  \n \n']) {
      const f = classifyFailure(r({ exitCode: 1, tail }));
      expect(f).toMatchObject({
        class: 'unknown',
        code: 'STEP_FAILED',
        message: `${errorCodeInfo('STEP_FAILED').summary} (exit code 1)`,
        advice: ADVICE.unknown,
      });
    }
  });
  it('keeps the process result on the failure', () => {
    const result = r({ exitCode: 3, tail: 'x' });
    expect(classifyFailure(result).result).toBe(result);
  });
});

describe('evidence', () => {
  it('is the whole matching line, trimmed, from the first or the last line of the tail', () => {
    expect(classifyFailure(r({ tail: '  CUDA out of memory at start  \nnext' })).message).toMatch(
      /: CUDA out of memory at start$/,
    );
    expect(classifyFailure(r({ tail: 'first\nend: CUDA out of memory' })).message).toMatch(
      /\): end: CUDA out of memory$/,
    );
  });
  it('a "Killed" line after a blank line is the evidence (the pattern does not span lines)', () => {
    expect(classifyFailure(r({ tail: 'loading\n\nKilled\n' })).message).toBe(
      `${errorCodeInfo('STEP_HOST_OOM').summary} (exit code 1): Killed`,
    );
    expect(classifyFailure(r({ tail: 'loading\n \n\t Killed \n' })).message).toMatch(/\): Killed$/);
  });
  it('is clipped at 300 characters with an ellipsis; 300 exactly is kept whole', () => {
    const long = `CUDA out of memory ${'x'.repeat(400)}`;
    expect(classifyFailure(r({ tail: long })).message.endsWith(`: ${long.slice(0, 300)}…`)).toBe(true);
    const exact = `CUDA out of memory ${'x'.repeat(300 - 19)}`;
    expect(exact).toHaveLength(300);
    expect(classifyFailure(r({ tail: exact })).message.endsWith(`: ${exact}`)).toBe(true);
    const lastLong = 'y'.repeat(301);
    expect(classifyFailure(r({ tail: lastLong })).message.endsWith(`: ${'y'.repeat(300)}…`)).toBe(true);
  });
  it('access denied carries its own advice about the secret', () => {
    const f = classifyFailure(r({ tail: 'GatedRepoError' }));
    expect(f.advice).toBe(
      'a download or image pull was refused: check that the secret named by the config holds a valid token with access to the repository (gated models need an accepted license)',
    );
  });
});

describe('isSuccess and describeExit', () => {
  it('success needs exit 0 and nothing else', () => {
    expect(isSuccess(r({ exitCode: 0 }))).toBe(true);
    for (const over of [
      { exitCode: 1 },
      { exitCode: 2 },
      { exitCode: 137 },
      { exitCode: -1 },
      { exitCode: null },
      { exitCode: 0, signal: 'SIGTERM' },
      { exitCode: 0, timedOut: true },
      { exitCode: 0, canceled: true },
    ]) {
      expect(isSuccess(r(over)), JSON.stringify(over)).toBe(false);
    }
  });
  it('describes each way a process ends', () => {
    expect(describeExit(r({ canceled: true, timedOut: true }))).toBe('cancelled');
    expect(describeExit(r({ timedOut: true, durationMs: 1499 }))).toBe('timed out after 1 s');
    expect(describeExit(r({ timedOut: true, durationMs: 1500, signal: 'SIGTERM' }))).toBe('timed out after 2 s');
    expect(describeExit(r({ exitCode: null, signal: 'SIGTERM' }))).toBe('killed by SIGTERM');
    expect(describeExit(r({ exitCode: 0, signal: 'SIGINT' }))).toBe('killed by SIGINT');
    expect(describeExit(r({ exitCode: null }))).toBe('no exit code');
    expect(describeExit(r({ exitCode: 0 }))).toBe('exit code 0');
    expect(describeExit(r({ exitCode: 3 }))).toBe('exit code 3');
  });
  it('a timeout and a cancel carry their class message and advice', () => {
    expect(classifyFailure(r({ timedOut: true, durationMs: 61_000 }))).toMatchObject({
      class: 'timeout',
      code: 'STEP_TIMEOUT',
      message: `${errorCodeInfo('STEP_TIMEOUT').summary} (timed out after 61 s)`,
      advice: ADVICE.timeout,
    });
    expect(classifyFailure(r({ canceled: true }))).toMatchObject({
      class: 'canceled',
      code: 'STEP_CANCELED',
      message: `${errorCodeInfo('STEP_CANCELED').summary} (cancelled)`,
      advice: ADVICE.canceled,
    });
  });
});
