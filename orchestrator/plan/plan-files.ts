/** Files `trt-plan --out DIR` writes: plan.json and every launch file under launch/<config>/. */
import type { BuildPlan } from './types.js';

/** Relative paths (always under the output dir; launch file paths are planner-made) and contents. */
export function planFiles(plan: BuildPlan): Array<{ path: string; content: string }> {
  const files = [{ path: 'plan.json', content: `${JSON.stringify(plan, null, 2)}\n` }];
  for (const [name, launch] of Object.entries(plan.launch)) {
    files.push({ path: `launch/${name}/command.json`, content: `${JSON.stringify({ server: launch.server, argv: launch.argv }, null, 2)}\n` });
    for (const file of launch.files) files.push({ path: `launch/${name}/${file.path}`, content: file.content });
  }
  return files;
}
