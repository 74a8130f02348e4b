import { describe, expect, it } from 'vitest';
import { readConfigBody } from '../../../orchestrator/api/read-config-body.js';

describe('readConfigBody', () => {
  it('takes YAML text as is and JSON config objects as JSON text', () => {
    expect(readConfigBody('trt_llm: {}\n')).toEqual({ ok: true, text: 'trt_llm: {}\n' });
    expect(readConfigBody({ config: 'a: 1' })).toEqual({ ok: true, text: 'a: 1' });
    const r = readConfigBody({ config: { trt_llm: { build: { max_batch_size: 8 } } } });
    expect(r.ok && JSON.parse(r.text)).toEqual({ trt_llm: { build: { max_batch_size: 8 } } });
  });

  it.each([
    ['   ', 'the YAML body is empty'],
    [null, 'expected a JSON object {"config": …} or an application/yaml body'],
    [[1], 'expected a JSON object {"config": …} or an application/yaml body'],
    [{}, '"config" must be an object or a YAML string (got nothing)'],
    [{ config: [] }, '"config" must be an object or a YAML string (got array)'],
    [{ config: 7 }, '"config" must be an object or a YAML string (got number)'],
    [{ config: '' }, '"config" is an empty string'],
  ])('rejects %j', (body, message) => {
    expect(readConfigBody(body)).toEqual({ ok: false, message });
  });
});
