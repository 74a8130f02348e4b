/** `trt-plan` output for people: steps with shell-quoted commands, GPUs, launch configs, hash. */
import { shellJoin } from './shell-quote.js';
import type { BuildPlan, PlanStep } from './types.js';

// Control characters (other than newline) are shown escaped so a hostile value cannot drive the terminal.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const clean = (text: string): string =>
  text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function renderStep(step: PlanStep, index: number): string[] {
  const gpus = step.gpus > 0 ? `${step.gpus} GPU${step.gpus > 1 ? 's' : ''}` : 'no GPU';
  const lines = [`${index + 1}. [${step.id}] ${step.description} (${gpus}, timeout ${step.timeoutSeconds}s)`];
  if (step.secretEnv.length > 0) lines.push(`   secrets (names): ${step.secretEnv.join(', ')}`);
  switch (step.kind) {
    case 'fetch':
      for (const item of step.items) {
        const rev = item.revision ? `@${item.revision}` : '';
        const name = item.name ? ` ${item.name}` : '';
        lines.push(`   ${item.role}${name}: ${item.source} ${item.repo}${rev} -> ${item.dest}`);
      }
      break;
    case 'publish':
      lines.push(`   artifact (${step.artifactKind}): ${step.artifactDir}`);
      if (step.tokenizerDir) lines.push(`   tokenizer from: ${step.tokenizerDir}`);
      break;
    case 'convert':
    case 'quantize':
    case 'engine_build':
      lines.push(`   image: ${step.image}`, `   $ ${shellJoin(step.argv)}`);
      break;
  }
  return lines;
}

/** The plan as text. */
export function renderPlanText(plan: BuildPlan): string {
  const lines = [
    `plan ${plan.planHash}`,
    `stack ${plan.stack} (${plan.lane.name}, TensorRT-LLM ${plan.lane.trtllmVersion}), base model ${plan.baseModel}`,
    `image ${plan.lane.image}`,
    `target ${plan.accelerator.type} x ${plan.accelerator.count} (SM ${plan.accelerator.sm}); builder ${plan.builder.gpuType} x ${plan.builder.gpuCount}`,
    '',
    'steps:',
    ...plan.steps.flatMap(renderStep),
    '',
    'launch configs:',
  ];
  for (const [name, launch] of Object.entries(plan.launch)) {
    lines.push(`- ${name} (${launch.server}):`, `  image: ${launch.image}`, `  $ ${shellJoin(launch.argv)}`);
    for (const file of launch.files) {
      lines.push(
        `  file launch/${file.path}:`,
        ...file.content
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
      );
    }
  }
  if (plan.assumptions.length > 0) {
    lines.push('', 'assumptions:', ...plan.assumptions.map((a) => `- ${a}`));
  }
  return `${clean(lines.join('\n'))}\n`;
}
