// Runs main() in-process with fake streams.
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../../orchestrator/cli/trt-plan.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Calls main(argv) with `stdin` as standard input; returns exit code and outputs. */
export async function runCli(argv: string[], stdin: string | Buffer = ''): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await main(argv, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr });
  return { code, stdout: out(), stderr: err() };
}
