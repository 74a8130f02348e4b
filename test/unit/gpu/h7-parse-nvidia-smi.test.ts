// parseNvidiaSmi: every field check on each side of its boundary, exact problem messages.
import { describe, expect, it } from 'vitest';
import { NVIDIA_SMI_ARGS, parseNvidiaSmi } from '../../../orchestrator/gpu/parse-nvidia-smi.js';

const U0 = 'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50';
const U1 = 'GPU-ABCDEF01-2345-6789-ABCD-EF0123456789';

const problemsOf = (line: string): readonly string[] => parseNvidiaSmi(line).problems;

describe('parseNvidiaSmi (h7)', () => {
  it('queries index, uuid, name and memory.total as bare CSV', () => {
    expect(NVIDIA_SMI_ARGS).toEqual(['--query-gpu=index,uuid,name,memory.total', '--format=csv,noheader,nounits']);
  });

  it('reads a device exactly, with its catalog type decided by name and memory', () => {
    expect(parseNvidiaSmi(`0, ${U0}, NVIDIA H100 80GB HBM3, 81559\n1, ${U1}, NVIDIA L40, 46068\n`)).toEqual({
      devices: [
        { id: '0', index: 0, uuid: U0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, type: 'H100' },
        { id: '1', index: 1, uuid: U1, name: 'NVIDIA L40', memoryMiB: 46068, type: null },
      ],
      problems: [],
    });
    // the memory figure reaches the type decision: an 80 GB name with 40 GB of memory is the 40 GB part
    expect(parseNvidiaSmi(`0, ${U0}, NVIDIA A100-SXM4-80GB, 40960`).devices[0]?.type).toBe('A100_40GB');
  });

  it('index: one to three digits, leading zeros read as decimal', () => {
    expect(parseNvidiaSmi(`999, ${U0}, NVIDIA L4, 23034`).devices[0]).toMatchObject({ id: '999', index: 999 });
    expect(parseNvidiaSmi(`07, ${U0}, NVIDIA L4, 23034`).devices[0]).toMatchObject({ id: '7', index: 7 });
    expect(parseNvidiaSmi(`10, ${U0}, NVIDIA L4, 23034`).devices[0]).toMatchObject({ id: '10', index: 10 });
    for (const bad of ['1000', 'a1', '1a', '-1', '', '1.0']) {
      expect(problemsOf(`${bad}, ${U0}, NVIDIA L4, 23034`), bad).toEqual([
        `nvidia-smi line 1: index ${JSON.stringify(bad)} is not a device index`,
      ]);
    }
  });

  it('uuid: GPU- then 8-4-4-4-12 hex digits, either case, nothing around it', () => {
    expect(parseNvidiaSmi(`0, ${U1}, NVIDIA L4, 23034`).devices[0]?.uuid).toBe(U1);
    for (const bad of [
      `x${U0}`,
      `${U0}0`,
      U0.replace('GPU-', 'MIG-'),
      U0.replace('GPU-', 'gpu-'),
      U0.slice(0, -1),
      U0.replace('3f6a8c1e', '3f6a8c1g'),
      U0.replace('2b4d', '2b4'),
      U0.replace('-2b4d-4e7a-9c1f', '-2b4d-4e7a'),
      '',
    ]) {
      expect(problemsOf(`0, ${bad}, NVIDIA L4, 23034`), bad).toEqual([
        `nvidia-smi line 1: uuid ${JSON.stringify(bad)} is not a GPU-… UUID`,
      ]);
    }
  });

  it('name: must not be empty', () => {
    expect(problemsOf(`0, ${U0}, , 23034`)).toEqual(['nvidia-smi line 1: empty device name']);
    expect(parseNvidiaSmi(`0, ${U0}, X, 23034`).devices[0]).toMatchObject({ name: 'X', type: null });
  });

  it('memory: digits only, or [N/A] for none', () => {
    expect(parseNvidiaSmi(`0, ${U0}, NVIDIA L4, 0`).devices[0]?.memoryMiB).toBe(0);
    expect(parseNvidiaSmi(`0, ${U0}, NVIDIA L4, 023034`).devices[0]?.memoryMiB).toBe(23034);
    expect(parseNvidiaSmi(`0, ${U0}, NVIDIA GB10, [N/A]`).devices[0]).toMatchObject({ memoryMiB: null, type: 'B10' });
    for (const bad of ['81559 MiB', 'x81559', '81559x', '81.5', '', 'N/A', '[n/a]', '-1']) {
      expect(problemsOf(`0, ${U0}, NVIDIA H100, ${bad}`), bad).toEqual([
        `nvidia-smi line 1: memory.total ${JSON.stringify(bad)} is not a number of MiB (use --format=csv,noheader,nounits)`,
      ]);
    }
  });

  it('a line needs exactly 4 fields', () => {
    expect(problemsOf(`0, ${U0}, NVIDIA L4`)).toEqual([
      `nvidia-smi line 1: expected 4 fields (index, uuid, name, memory.total), got 3: 0, ${U0}, NVIDIA L4`,
    ]);
    expect(problemsOf(`0, ${U0}, NVIDIA L4, 23034, 1`)).toEqual([
      `nvidia-smi line 1: expected 4 fields (index, uuid, name, memory.total), got 5: 0, ${U0}, NVIDIA L4, 23034, 1`,
    ]);
  });

  it('a long bad line is clipped to 120 characters plus an ellipsis; 120 are kept whole', () => {
    const at120 = 'a'.repeat(120);
    const at121 = 'a'.repeat(121);
    expect(problemsOf(at120)).toEqual([
      `nvidia-smi line 1: expected 4 fields (index, uuid, name, memory.total), got 1: ${at120}`,
    ]);
    expect(problemsOf(at121)).toEqual([
      `nvidia-smi line 1: expected 4 fields (index, uuid, name, memory.total), got 1: ${at120}…`,
    ]);
    expect(problemsOf(`0, ${U0}, NVIDIA L4, ${'9'.repeat(121)}x`)).toEqual([
      `nvidia-smi line 1: memory.total ${JSON.stringify(`${'9'.repeat(120)}…`)} is not a number of MiB (use --format=csv,noheader,nounits)`,
    ]);
  });

  it('blank and whitespace-only lines are skipped; line numbers count them; CRLF and padding are fine', () => {
    const out = `\n   \n\t\r\n  0 , ${U0} ,  NVIDIA L4 , 23034  \r\n\nbad\n1, ${U1}, NVIDIA L4, 23034`;
    const { devices, problems } = parseNvidiaSmi(out);
    expect(devices.map((d) => [d.id, d.uuid, d.name, d.memoryMiB, d.type])).toEqual([
      ['0', U0, 'NVIDIA L4', 23034, 'L4'],
      ['1', U1, 'NVIDIA L4', 23034, 'L4'],
    ]);
    expect(problems).toEqual(['nvidia-smi line 6: expected 4 fields (index, uuid, name, memory.total), got 1: bad']);
  });

  it('the same index twice is a problem; the first listing is kept', () => {
    const { devices, problems } = parseNvidiaSmi(
      `0, ${U0}, NVIDIA L4, 23034\n00, ${U1}, NVIDIA L4, 23034\n1, ${U1}, NVIDIA L4, 23034`,
    );
    expect(devices.map((d) => [d.id, d.uuid])).toEqual([
      ['0', U0],
      ['1', U1],
    ]);
    expect(problems).toEqual(['nvidia-smi line 2: device index 0 listed twice']);
  });

  it('whitespace-only output is no devices and no problems', () => {
    expect(parseNvidiaSmi(' \n\t\n')).toEqual({ devices: [], problems: [] });
  });
});
