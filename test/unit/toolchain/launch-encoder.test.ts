// The encoder launch config, exactly: the encoder server argv in the step image ([CLS] pooling for
// BERT-family engines, last-token pooling for causal embedding models) and encoder.json.
import { describe, expect, it } from 'vitest';
import { checkToolArgv } from '../../../orchestrator/toolchain/conformance.js';
import {
  ENCODER_LAUNCH_FILE,
  ENCODER_MIN_MAX_NUM_TOKENS,
  ENCODER_SERVER,
  encoderLaunch,
} from '../../../orchestrator/toolchain/launch-encoder.js';

const argvFor = (pooling: string, route: string, maxSeqLen: string[]): string[] => [
  'python3',
  '/opt/trt-orchestrator/steps/encoder_server.py',
  '--engine_dir',
  '/models/artifact',
  '--tokenizer_dir',
  '/models/tokenizer',
  '--host',
  '0.0.0.0',
  '--port',
  '7997',
  '--route',
  route,
  '--pooling',
  pooling,
  '--max_batch_size',
  '32',
  ...maxSeqLen,
];

describe('encoder launch constants', () => {
  it('names the file, the server and the causal encoder minimum', () => {
    expect(ENCODER_LAUNCH_FILE).toBe('encoder.json');
    expect(ENCODER_SERVER).toBe('trt-encoder-server');
    expect(ENCODER_MIN_MAX_NUM_TOKENS).toBe(16384);
  });
});

describe('encoderLaunch', () => {
  it('BERT-family engine: [CLS] pooling, exact argv and encoder.json', () => {
    const launch = encoderLaunch(
      { kind: 'encoder_bert', route: '/predict', maxBatchSize: 32, maxNumTokens: 4096, maxSeqLen: 512 },
      'steps:1',
    );
    expect(launch.server).toBe('trt-encoder-server');
    expect(launch.image).toBe('steps:1');
    expect(launch.argv).toEqual(argvFor('cls', '/predict', ['--max_seq_len', '512']));
    expect(checkToolArgv(launch.argv)).toEqual([]);
    expect(launch.files).toEqual([
      {
        path: 'encoder.json',
        content: `${JSON.stringify(
          {
            kind: 'encoder_bert',
            engine_path: '/models/artifact',
            tokenizer_path: '/models/tokenizer',
            webserver_default_route: '/predict',
            pooling: 'cls',
            max_batch_size: 32,
            max_num_tokens: 4096,
            max_seq_len: 512,
          },
          null,
          2,
        )}\n`,
      },
    ]);
  });

  it('causal embedding model: last-token pooling; no --max_seq_len when unset, null in encoder.json', () => {
    const launch = encoderLaunch(
      { kind: 'encoder', route: '/v1/embeddings', maxBatchSize: 32, maxNumTokens: 16384, maxSeqLen: null },
      'steps:1',
    );
    expect(launch.argv).toEqual(argvFor('last', '/v1/embeddings', []));
    expect(checkToolArgv(launch.argv)).toEqual([]);
    expect(JSON.parse(launch.files[0]?.content ?? '')).toEqual({
      kind: 'encoder',
      engine_path: '/models/artifact',
      tokenizer_path: '/models/tokenizer',
      webserver_default_route: '/v1/embeddings',
      pooling: 'last',
      max_batch_size: 32,
      max_num_tokens: 16384,
      max_seq_len: null,
    });
    expect(launch.files[0]?.content.endsWith('}\n')).toBe(true);
  });
});
