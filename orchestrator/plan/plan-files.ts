/**
 * Files `trt-plan --out DIR` writes: `plan.json`, every launch file at the path it is published
 * under (`launch/<path>`, the layout the launch argv refers to), and `launch/commands.json` with
 * each launch config's server, image and argv.
 */
import type { BuildPlan } from './types.js';

/** Relative paths (planner-made, always under the output dir) and contents. */
export function planFiles(plan: BuildPlan): Array<{ path: string; content: string }> {
  const files = [{ path: 'plan.json', content: `${JSON.stringify(plan, null, 2)}\n` }];
  const commands: Record<string, { server: string; image: string; argv: readonly string[] }> = {};
  for (const [name, launch] of Object.entries(plan.launch)) {
    commands[name] = { server: launch.server, image: launch.image, argv: launch.argv };
    for (const file of launch.files) files.push({ path: `launch/${file.path}`, content: file.content });
  }
  files.push({ path: 'launch/commands.json', content: `${JSON.stringify(commands, null, 2)}\n` });
  return files;
}
