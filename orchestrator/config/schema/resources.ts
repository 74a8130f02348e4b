/** `resources`: the deployment's hardware (input shape; parsing into GPU type/count is separate). */
import * as z from 'zod';

/** `resources` as written in config.yaml. */
export const Resources = z.object({
  /** `TYPE` or `TYPE:COUNT`, e.g. `H100:2`. */
  accelerator: z.string().nullable().optional(),
  /** Kubernetes-style CPU quantity: `1`, `500m`. */
  cpu: z.union([z.string(), z.number()]).nullable().optional(),
  /** Memory quantity: `10Gi`, `512Mi`, `16G`. */
  memory: z.string().nullable().optional(),
  use_gpu: z.boolean().optional(),
  /** Nodes per replica; > 1 only for the v2 stack. */
  node_count: z.int().min(1).default(1),
  /** `<GPU>:<vCPU>x<MEM>` (e.g. `H100:8x80`); overrides the other fields. */
  instance_type: z.string().nullable().optional(),
});
export type Resources = z.infer<typeof Resources>;
