/** `checkpoint_repository`: where the weights come from (also used by LoRA adapters). */
import * as z from 'zod';
import { CheckpointSource } from './enums.js';

/** A checkpoint location; `runtime_secret_name` names a secret, it never holds the token. */
export const CheckpointRepository = z.object({
  source: CheckpointSource,
  /** HF repo id, `s3://bucket/path`, `gs://…`, an Azure container URL, an http(s) URL, or a training job. */
  repo: z.string().min(1),
  /** HF revision (branch, tag or commit); the training run for BASETEN_TRAINING. */
  revision: z.string().min(1).nullable().default(null),
  /** Name of the secret (declared under `secrets`) holding the access token. */
  runtime_secret_name: z.string().min(1).default('hf_access_token'),
});
export type CheckpointRepository = z.infer<typeof CheckpointRepository>;
