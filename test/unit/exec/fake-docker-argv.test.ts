import { describe, expect, it } from 'vitest';
import { parseGpus, parseRunArgs } from '../../fixtures/bin/lib/fake-docker/docker-argv.js';

const BASE = [
  '--rm',
  '--name',
  'n1',
  '--ipc=host',
  '--ulimit',
  'memlock=-1',
  '--ulimit',
  'stack=67108864',
  '-v',
  '/h:/workspace',
];

describe('fake docker: docker run argv parsing', () => {
  it('parses the orchestrator surface', () => {
    const r = parseRunArgs([
      ...BASE,
      '--gpus',
      '"device=0,1"',
      '-e',
      'HF_TOKEN',
      '--label',
      'trt-orchestrator=1',
      '-l',
      'a.b=x=y,z',
      '--label=bare',
      'img:1',
      'trtllm-build',
      '--x',
      '1',
    ]);
    expect(r).toEqual({
      ok: true,
      spec: {
        rm: true,
        name: 'n1',
        gpus: ['0', '1'],
        ipc: 'host',
        ulimits: { memlock: '-1', stack: '67108864' },
        volumes: [{ host: '/h', container: '/workspace' }],
        envNames: ['HF_TOKEN'],
        labels: { 'trt-orchestrator': '1', 'a.b': 'x=y,z', bare: '' },
        image: 'img:1',
        argv: ['trtllm-build', '--x', '1'],
      },
    });
  });

  it.each([
    [['--rm', '--name', 'n2', '--privileged', 'img'], 125, "unknown flag: --privileged\nSee 'docker run --help'."],
    [['--rm', '--name', 'n2', '-p', '80:80', 'img'], 125, "unknown shorthand flag: 'p' in -p"],
    [['--rm', '--name'], 125, 'flag needs an argument: --name'],
    [['--rm', '--name', 'n2'], 125, '"docker run" requires at least 1 argument.'],
    [['--name', 'n2', 'img'], 125, 'fake docker: the orchestrator must pass --rm'],
    [['--rm', 'img'], 125, 'fake docker: the orchestrator must pass --name'],
    [['--rm', '--name', 'bad name', 'img'], 125, 'Invalid container name (bad name)'],
    [['--rm', '--name', 'n2', '-e', 'HF_TOKEN=hf_x', 'img'], 125, 'fake docker: refusing "-e HF_TOKEN=…"'],
    [['--rm', '--name', 'n2', '--ulimit', 'memlock', 'img'], 125, 'invalid argument "memlock" for "--ulimit" flag'],
    [['--rm', '--name', 'n2', '--ipc', 'weird', 'img'], 125, 'invalid argument "weird" for "--ipc" flag'],
    [
      ['--rm', '--name', 'n2', '-v', 'rel:/w', 'img'],
      125,
      'If you intended to pass a host directory, use absolute path',
    ],
    [['--rm', '--name', 'n2', '-v', '/h:rel', 'img'], 125, 'mount path must be absolute'],
    [
      ['--rm', '--name', 'n2', '--gpus', 'device=0,1', 'img'],
      125,
      'cannot set both Count and DeviceIDs on device request',
    ],
    [['--rm', '--name', 'n2', '--label', '=v', 'img'], 125, `invalid label '=v': empty name`],
    [['--rm', '--name', 'n2', '--label', 'a b=v', 'img'], 125, `label 'a b' contains whitespaces`],
    [['--rm', '--name', 'n2', '--label'], 125, 'flag needs an argument: --label'],
  ])('%j → exit %i', (args, code, text) => {
    const r = parseRunArgs(args);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toContain(text);
      expect(r.stderr).not.toContain('hf_x');
    }
  });

  it('parses --gpus like docker (CSV)', () => {
    expect(parseGpus('device=0')).toEqual(['0']);
    expect(parseGpus('"device=0,1,2"')).toEqual(['0', '1', '2']);
    expect(parseGpus('"device=GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50"')).toEqual([
      'GPU-3f6a8c1e-2b4d-4e7a-9c1f-0a1b2c3d4e50',
    ]);
    expect(parseGpus('device=0,1')).toBe('cannot set both Count and DeviceIDs on device request');
    expect(parseGpus('"device=0,1')).toContain('extraneous or missing " in quoted-field');
    expect(parseGpus('all')).toContain('only --gpus "device=<ids>" is expected');
    expect(parseGpus('foo=1')).toContain("unexpected key 'foo'");
  });
});
