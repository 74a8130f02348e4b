/**
 * checkToolArgv, exactly: which script paths name which tool (anchored at both ends), the shapes of
 * int and float values, how values are taken after a flag (and skipped after an unknown one), and
 * every message's whole text.
 */
import { describe, expect, it } from 'vitest';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';

const QUANTIZE = '/app/tensorrt_llm/examples/quantization/quantize.py';
const LLAMA = '/app/tensorrt_llm/examples/models/core/llama/convert_checkpoint.py';
const EXPORT = '/opt/trt-orchestrator/steps/export_hf_checkpoint.py';
const ENCODER = '/opt/trt-orchestrator/steps/encoder_server.py';
const BUILD = ['trtllm-build', '--checkpoint_dir', '/c'];
const EXPORT_ARGS = ['--model_dir', '/m', '--output_dir', '/o', '--qformat', 'fp8', '--calib_dataset', '/d'];
const ENCODER_ARGS = ['--engine_dir', '/e', '--tokenizer_dir', '/t', '--route', '/predict', '--max_batch_size', '8'];

const unknownScript = (script: string) =>
  `unknown script ${JSON.stringify(script)}: expected examples/quantization/quantize.py or examples/models/core/<family>/convert_checkpoint.py`;
const legacyScript = (script: string) =>
  `legacy script path ${JSON.stringify(script)} (<=0.18 layout); 1.2 uses examples/models/core/<family>/convert_checkpoint.py`;

describe('the tool an argv runs', () => {
  it('argv[0] must be one of the three executables; the message quotes what came', () => {
    expect(checkToolArgv(['bash', '-c', 'x'])).toEqual([
      'argv[0] must be trtllm-build, trtllm-serve or python3 (got "bash")',
    ]);
    expect(checkToolArgv([])).toEqual(['argv[0] must be trtllm-build, trtllm-serve or python3 (got "")']);
    expect(checkToolArgv(['python3'])).toEqual(['python3 needs the path of quantize.py or a convert_checkpoint.py']);
  });

  it('quantize.py: at any directory, or relative; nothing after .py', () => {
    expect(checkToolArgv(['python3', QUANTIZE, '--model_dir', '/m'])).toEqual([]);
    expect(checkToolArgv(['python3', 'examples/quantization/quantize.py', '--model_dir', '/m'])).toEqual([]);
    for (const script of [`${QUANTIZE}.bak`, '/app/myexamples/quantization/quantize.py'])
      expect(checkToolArgv(['python3', script, '--model_dir', '/m']), script).toEqual([unknownScript(script)]);
  });

  it('convert_checkpoint.py of a known family: at any directory, or relative; nothing after .py', () => {
    expect(checkToolArgv(['python3', LLAMA, '--model_dir', '/m'])).toEqual([]);
    expect(checkToolArgv(['python3', 'examples/models/core/llama/convert_checkpoint.py', '--model_dir', '/m'])).toEqual(
      [],
    );
    expect(checkToolArgv(['python3', `${LLAMA}.orig`, '--model_dir', '/m'])).toEqual([unknownScript(`${LLAMA}.orig`)]);
  });

  it('the <=0.18 layout: at any directory, or relative; nothing after .py', () => {
    for (const script of ['/app/examples/llama/convert_checkpoint.py', 'examples/llama/convert_checkpoint.py'])
      expect(checkToolArgv(['python3', script]), script).toEqual([legacyScript(script)]);
    const bak = '/app/examples/llama/convert_checkpoint.py.bak';
    expect(checkToolArgv(['python3', bak])).toEqual([unknownScript(bak)]);
  });

  it('the step scripts, only at their installed path', () => {
    expect(checkToolArgv(['python3', EXPORT, ...EXPORT_ARGS])).toEqual([]);
    expect(checkToolArgv(['python3', ENCODER, ...ENCODER_ARGS])).toEqual([]);
    // Each script gets its own surface: the other's flags are unknown to it.
    expect(checkToolArgv(['python3', EXPORT, ...EXPORT_ARGS, '--route', '/predict'])).toEqual([
      '--route: unknown flag for export_hf_checkpoint.py',
    ]);
    expect(checkToolArgv(['python3', ENCODER, ...ENCODER_ARGS, '--qformat', 'fp8'])).toEqual([
      '--qformat: unknown flag for encoder_server.py',
    ]);
    for (const script of [`/x${ENCODER}`, `${ENCODER}.bak`, '/opt/trt-orchestrator/steps/other.py'])
      expect(checkToolArgv(['python3', script, ...ENCODER_ARGS]), script).toEqual([unknownScript(script)]);
  });

  it('a family without a converter surface', () => {
    expect(checkToolArgv(['python3', '/app/examples/models/core/gemma/convert_checkpoint.py'])).toEqual([
      'no convert_checkpoint.py surface for model family "gemma" in the pinned version',
    ]);
  });
});

describe('value shapes', () => {
  const eps = (value: string) => checkToolArgv(['python3', LLAMA, '--model_dir', '/m', '--rms_norm_eps', value]);
  const notNumber = (value: string) => [`--rms_norm_eps: expected a number, got ${JSON.stringify(value)}`];

  it('a float: digits with an optional fraction, or a bare fraction, and an optional exponent', () => {
    for (const ok of ['12', '12.5', '1.', '.25', '-0.5', '1e5', '1E5', '1e-5', '1e+5', '1e10', '12.5e-10'])
      expect(eps(ok), ok).toEqual([]);
    for (const bad of ['x1', '1x', '1e', 'e5', '.', '-', '1e5x', '1..2', '.5.', '1e-'])
      expect(eps(bad), bad).toEqual(notNumber(bad));
  });

  it('an int: digits with an optional minus sign, nothing else', () => {
    const batch = (value: string) => checkToolArgv([...BUILD, '--max_batch_size', value]);
    expect(batch('8')).toEqual([]);
    for (const bad of ['8.5', 'x8', '8x', '1e3'])
      expect(batch(bad), bad).toEqual([`--max_batch_size: expected an integer, got ${JSON.stringify(bad)}`]);
  });

  it('str, path and choice values are not checked for a number shape', () => {
    expect(checkToolArgv([...BUILD, '--output_dir', 'x.y'])).toEqual([]);
    expect(checkToolArgv(['python3', LLAMA, '--model_dir', 'abc', '--dtype', 'auto'])).toEqual([]);
  });
});

describe('flags and their values', () => {
  it('a flag=value token: the value after the first =', () => {
    expect(checkToolArgv([...BUILD, '--max_batch_size=8'])).toEqual([]);
    expect(checkToolArgv([...BUILD, '--max_batch_size=8=9'])).toEqual([
      '--max_batch_size: expected an integer, got "8=9"',
    ]);
    expect(checkToolArgv([...BUILD, '--turbo=on'])).toEqual(['--turbo: unknown flag for trtllm-build']);
  });

  it('a store_true flag takes no value, not even an empty one', () => {
    expect(checkToolArgv([...BUILD, '--gather_all_token_logits='])).toEqual([
      '--gather_all_token_logits: takes no value (got "")',
    ]);
    expect(checkToolArgv([...BUILD, '--gather_all_token_logits=yes'])).toEqual([
      '--gather_all_token_logits: takes no value (got "yes")',
    ]);
  });

  it('one value for a plain flag, the rest are positionals', () => {
    expect(checkToolArgv(['trtllm-serve', '--tp_size', '2', '/e'])).toEqual([]);
    expect(checkToolArgv([...BUILD, '--max_batch_size', '8', 'x', 'y'])).toEqual([
      'unexpected positional argument(s) "x" "y"',
    ]);
  });

  it('every value up to the next --flag for nargs +; a single dash may start a value', () => {
    expect(
      checkToolArgv([...BUILD, '--lora_plugin', 'auto', '--lora_dir', '/a', '/b', '--max_lora_rank', '8']),
    ).toEqual([]);
    expect(checkToolArgv(['python3', LLAMA, '--model_dir', '/m', '--moe_tp_size', '-1'])).toEqual([]);
  });

  it('nargs ?: a value is optional', () => {
    expect(checkToolArgv(['python3', LLAMA, '--model_dir', '/m', '--weight_only_precision'])).toEqual([]);
    expect(checkToolArgv(['python3', LLAMA, '--model_dir', '/m', '--weight_only_precision', 'int4'])).toEqual([]);
    expect(checkToolArgv([...BUILD, '--max_batch_size'])).toEqual(['--max_batch_size: missing value']);
  });

  it("an unknown flag's values are skipped up to the next --flag, which is checked", () => {
    expect(checkToolArgv([...BUILD, '--turbo', 'on', 'fast', '--max_batch_size', 'x'])).toEqual([
      '--turbo: unknown flag for trtllm-build',
      '--max_batch_size: expected an integer, got "x"',
    ]);
    expect(checkToolArgv([...BUILD, '--turbo'])).toEqual(['--turbo: unknown flag for trtllm-build']);
  });

  it('an unknown flag for a tool without legacy or removed lists', () => {
    expect(checkToolArgv(['python3', QUANTIZE, '--model_dir', '/m', '--turbo', '1'])).toEqual([
      '--turbo: unknown flag for quantize.py',
    ]);
    expect(checkToolArgv(['python3', EXPORT, ...EXPORT_ARGS, '--turbo'])).toEqual([
      '--turbo: unknown flag for export_hf_checkpoint.py',
    ]);
  });

  it('legacy and removed flags name the tool', () => {
    expect(checkToolArgv([...BUILD, '--tp_size', '2'])).toEqual([
      '--tp_size: legacy flag rejected by trtllm-build 1.2',
    ]);
    expect(checkToolArgv([...BUILD, '--auto_parallel', '8'])).toEqual([
      '--auto_parallel: removed from trtllm-build in 1.2',
    ]);
  });
});

describe('positionals and required flags', () => {
  it('a tool without positionals lists the stray ones', () => {
    expect(checkToolArgv([...BUILD, 'a', 'b c'])).toEqual(['unexpected positional argument(s) "a" "b c"']);
  });

  it('trtllm-serve needs its MODEL, after an optional serve subcommand', () => {
    expect(checkToolArgv(['trtllm-serve', '--backend', 'pytorch'])).toEqual([
      'trtllm-serve needs 1 positional argument(s) (MODEL), got 0',
    ]);
    expect(checkToolArgv(['trtllm-serve', '/a', '/b'])).toEqual([
      'trtllm-serve needs 1 positional argument(s) (MODEL), got 2',
    ]);
    expect(checkToolArgv(['trtllm-serve', 'serve', '/e'])).toEqual([]);
  });

  it('every missing required flag, named with the tool', () => {
    expect(checkToolArgv(['python3', ENCODER, '--engine_dir', '/e'])).toEqual([
      '--tokenizer_dir: required by encoder_server.py',
      '--route: required by encoder_server.py',
      '--max_batch_size: required by encoder_server.py',
    ]);
  });

  it('constraint violations come last, after the flag problems', () => {
    expect(
      checkToolArgv(['python3', ENCODER, ...ENCODER_ARGS.slice(0, -1), '0', '--max_seq_len', 'x', '--port', '0']),
    ).toEqual(['--max_seq_len: expected an integer, got "x"', '--max_batch_size must be >= 1', '--port must be >= 1']);
  });
});
