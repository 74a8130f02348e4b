/** JSON Schema (input form) of the accepted config, for YAML editors (`trt-plan schema`). */
import * as z from 'zod';
import { Resources } from './schema/resources.js';
import { TrtLlmConfigV1, TrtLlmConfigV2 } from './schema/trt-llm.js';

/** Builds the JSON Schema of a Truss config.yaml as far as this validator checks it. */
export function configJsonSchema(): Record<string, unknown> {
  const v1 = z.toJSONSchema(TrtLlmConfigV1, { io: 'input', unrepresentable: 'any' });
  const v2 = z.toJSONSchema(TrtLlmConfigV2, { io: 'input', unrepresentable: 'any' });
  const resources = z.toJSONSchema(Resources, { io: 'input', unrepresentable: 'any' });
  const strip = ({ $schema: _s, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Truss config.yaml (trt_llm and resources sections)',
    type: 'object',
    properties: {
      model_name: { type: ['string', 'null'] },
      secrets: {
        type: ['object', 'null'],
        description: 'Secret names; every value must be null (values live in the secret store).',
        additionalProperties: { type: 'null' },
      },
      resources: strip(resources),
      trt_llm: { oneOf: [strip(v1), strip(v2)] },
    },
    required: ['trt_llm', 'resources'],
    additionalProperties: true,
  };
}
