// checkpointRules: required checkpoint, each source's URL rule (each regex alternative, each length
// bound), token-shaped secret names, undeclared secrets; exact findings.
import { describe, expect, it } from 'vitest';
import { BASE_V2 } from './helpers.js';
import type { Json } from './helpers.js';
import { expectExactly } from './findings.js';
import type { Row } from './findings.js';

const CR = 'trt_llm.build.checkpoint_repository';
const REPO = `${CR}.repo`;
const SECRET = `${CR}.runtime_secret_name`;
const repo = (source: string, r: string, extra: Json = {}): Json => ({
  trt_llm: { build: { checkpoint_repository: { source, repo: r, ...(extra as Record<string, Json>) } } },
});
const ok = (name: string, doc: Json): Row => ({ name, doc, expect: [] });
const bad = (name: string, doc: Json, code: string, fragment?: string): Row => ({
  name,
  doc,
  expect: [[code, 'error', REPO, ...(fragment === undefined ? [] : [fragment])] as unknown as Row['expect'][number]],
});

const HF_ROWS: Row[] = [
  ok('org/name', repo('HF', 'meta-llama/Llama-3.1-8B-Instruct')),
  ok('a bare name', repo('HF', 'gpt2')),
  ok('one-character parts', repo('HF', 'a/b')),
  ok('96-character part', repo('HF', `o/${'n'.repeat(96)}`)),
  ok('96-character org', repo('HF', `${'o'.repeat(96)}/n`)),
  ok('"_" counts as a word character at the edges', repo('HF', '_org/_name_')),
  ok('single "-" and "." inside', repo('HF', 'my-org/name.v2')),
  bad(
    'two slashes',
    repo('HF', 'a/b/c'),
    'HF_REPO_ID_INVALID',
    'invalid Hugging Face repo id "a/b/c": a Hugging Face repo id is <org>/<name> with at most one "/" (e.g. meta-llama/Llama-3.1-8B-Instruct)',
  ),
  bad(
    '97-character part',
    repo('HF', `o/${'n'.repeat(97)}`),
    'HF_REPO_ID_INVALID',
    'each part must be 1-96 characters of letters, digits, "_", "-" or "."',
  ),
  bad('97-character org', repo('HF', `${'o'.repeat(97)}/n`), 'HF_REPO_ID_INVALID', 'each part must be 1-96 characters'),
  bad('a leading dot', repo('HF', '.org/name'), 'HF_REPO_ID_INVALID', 'a part may not start or end with "-" or "."'),
  bad('a trailing dash', repo('HF', 'org-/name'), 'HF_REPO_ID_INVALID', 'a part may not start or end with "-" or "."'),
  bad('an empty part', repo('HF', 'org/'), 'HF_REPO_ID_INVALID', 'each part must be 1-96 characters'),
  bad('a space', repo('HF', 'org/a b'), 'HF_REPO_ID_INVALID', 'each part must be 1-96 characters'),
  bad('a leading dash', repo('HF', '-org/name'), 'HF_REPO_ID_INVALID', 'a part may not start or end with "-" or "."'),
  bad('a trailing dot', repo('HF', 'org/name.'), 'HF_REPO_ID_INVALID', 'a part may not start or end with "-" or "."'),
  bad('a double dash', repo('HF', 'org/a--b'), 'HF_REPO_ID_INVALID', '"--" and ".." are not allowed'),
  bad('a double dot', repo('HF', 'org/a..b'), 'HF_REPO_ID_INVALID', '"--" and ".." are not allowed'),
  bad('.git at the end', repo('HF', 'org/name.git'), 'HF_REPO_ID_INVALID', 'a repo id may not end with ".git"'),
  bad('dot-dot path', repo('HF', '../x'), 'HF_REPO_ID_INVALID'),
  bad(
    'an 80-character repo is shown whole',
    repo('HF', `a/b/${'x'.repeat(76)}`),
    'HF_REPO_ID_INVALID',
    `invalid Hugging Face repo id "a/b/${'x'.repeat(76)}": `,
  ),
  bad(
    'an 81-character repo is shown cut to 77 and "..."',
    repo('HF', `a/b/${'x'.repeat(77)}`),
    'HF_REPO_ID_INVALID',
    `invalid Hugging Face repo id "a/b/${'x'.repeat(73)}...": `,
  ),
  bad(
    'a long repo is shown cut',
    repo('HF', `a/b/${'x'.repeat(100)}`),
    'HF_REPO_ID_INVALID',
    `"a/b/${'x'.repeat(73)}..."`,
  ),
];

const S3_ROWS: Row[] = [
  ok('s3 bucket and path', repo('S3', 's3://my-bucket/models/llama')),
  ok('s3 bucket of 3 characters', repo('S3', 's3://abc')),
  ok('s3 bucket of 63 characters', repo('S3', `s3://${'b'.repeat(63)}/x`)),
  ok('s3 bucket with a trailing slash', repo('S3', 's3://abc/')),
  bad(
    's3 without the scheme',
    repo('S3', 'my-bucket/llama'),
    'S3_URI_INVALID',
    'source S3 needs repo s3://<bucket>/<path> (got "my-bucket/llama")',
  ),
  bad('s3 bucket of 2 characters', repo('S3', 's3://ab/x'), 'S3_URI_INVALID'),
  bad('s3 bucket of 64 characters', repo('S3', `s3://${'b'.repeat(64)}/x`), 'S3_URI_INVALID'),
  bad('s3 bucket in upper case', repo('S3', 's3://MyBucket/x'), 'S3_URI_INVALID'),
  bad('s3 bucket ending in a dash', repo('S3', 's3://bucket-/x'), 'S3_URI_INVALID'),
  bad('s3 bucket starting with a dash', repo('S3', 's3://-bucket/x'), 'S3_URI_INVALID'),
  bad('s3 with text before the scheme', repo('S3', 'xs3://bucket/x'), 'S3_URI_INVALID'),
  bad('s3 bucket followed by junk', repo('S3', 's3://bucket?x'), 'S3_URI_INVALID'),
];

const GCS_ROWS: Row[] = [
  ok('gs:// (what the worker and gsutil use)', repo('GCS', 'gs://bucket/models/x')),
  ok('gs:// bucket of 3 characters, no path', repo('GCS', 'gs://abc')),
  ok('gs:// bucket with "_" and "." inside', repo('GCS', 'gs://my_bucket.example/x')),
  ok('gs:// bucket of 63 characters without dots', repo('GCS', `gs://${'b'.repeat(63)}/x`)),
  bad('gs:// bucket of 64 characters without dots', repo('GCS', `gs://${'b'.repeat(64)}/x`), 'GCS_URI_INVALID'),
  ok(
    'gs:// bucket of 222 characters with dots, parts of 63',
    repo('GCS', `gs://${['a', 'b', 'c'].map((c) => c.repeat(63)).join('.')}.${'d'.repeat(30)}/x`),
  ),
  bad(
    'gs:// bucket with a dot-separated part of 64',
    repo('GCS', `gs://${'a'.repeat(64)}.example/x`),
    'GCS_URI_INVALID',
  ),
  bad('gs:// bucket with an empty part', repo('GCS', 'gs://my..bucket/x'), 'GCS_URI_INVALID'),
  bad('gs:// bucket part ending in "-"', repo('GCS', 'gs://my-.bucket/x'), 'GCS_URI_INVALID'),
  ok('gs:// bucket part of 1 character', repo('GCS', 'gs://a.bc/x')),
  bad('gs:// bucket of 2 characters', repo('GCS', 'gs://ab/x'), 'GCS_URI_INVALID'),
  bad(
    'gs:// bucket of 223 characters with dots',
    repo('GCS', `gs://${['a', 'b', 'c'].map((c) => c.repeat(63)).join('.')}.${'d'.repeat(31)}/x`),
    'GCS_URI_INVALID',
  ),
  bad('gs:// bucket ending in "_"', repo('GCS', 'gs://bucket_/x'), 'GCS_URI_INVALID'),
  bad('gs:// bucket in upper case', repo('GCS', 'gs://Bucket/x'), 'GCS_URI_INVALID'),
  bad('gs:// bucket followed by junk', repo('GCS', 'gs://bucket?x'), 'GCS_URI_INVALID'),
  bad('gcs:// is not a GCS scheme', repo('GCS', 'gcs://bucket/models/x'), 'GCS_URI_INVALID', 'gs://<bucket>/<path>'),
  bad('an s3 URI on GCS', repo('GCS', 's3://bucket/x'), 'GCS_URI_INVALID', '(got "s3://bucket/x")'),
  bad('no scheme on GCS', repo('GCS', 'bucket/x'), 'GCS_URI_INVALID'),
];

const AZ = 'https://acct.blob.core.windows.net';
const AZURE_ROWS: Row[] = [
  ok('azure container URL', repo('AZURE', `${AZ}/models/llama`)),
  ok('azure container URL without a path', repo('AZURE', `${AZ}/models`)),
  ok('azure:// form', repo('AZURE', 'azure://acct/models/llama')),
  ok('az:// form', repo('AZURE', 'az://acct/models/llama')),
  bad('azb:// is not an Azure scheme', repo('AZURE', 'azb://acct/models/llama'), 'AZURE_URL_INVALID'),
  ok('azure account of 3 and 24 characters', repo('AZURE', `https://${'a'.repeat(24)}.blob.core.windows.net/abc`)),
  ok('azure:// account of 3 characters, container of 63', repo('AZURE', `azure://abc/${'c'.repeat(63)}`)),
  bad(
    'azure other host',
    repo('AZURE', 'https://example.com/c'),
    'AZURE_URL_INVALID',
    'source AZURE needs a container URL az://<account>/<container>/<path> or azure://<account>/<container>/<path> or https://<account>.blob.core.windows.net/<container>/<path> (got "https://example.com/c")',
  ),
  bad('azure account of 2 characters', repo('AZURE', 'https://ab.blob.core.windows.net/models'), 'AZURE_URL_INVALID'),
  bad(
    'azure account of 25 characters',
    repo('AZURE', `https://${'a'.repeat(25)}.blob.core.windows.net/models`),
    'AZURE_URL_INVALID',
  ),
  bad('azure container of 2 characters', repo('AZURE', `${AZ}/ab`), 'AZURE_URL_INVALID'),
  bad('azure container of 64 characters', repo('AZURE', `${AZ}/${'c'.repeat(64)}`), 'AZURE_URL_INVALID'),
  bad('azure plain http', repo('AZURE', 'http://acct.blob.core.windows.net/models'), 'AZURE_URL_INVALID'),
  bad('azure upper-case account', repo('AZURE', 'https://Acct.blob.core.windows.net/models'), 'AZURE_URL_INVALID'),
  ok('azure:// account of 24 characters', repo('AZURE', `azure://${'a'.repeat(24)}/models`)),
  bad('azure:// account of 2 characters', repo('AZURE', 'azure://ab/models'), 'AZURE_URL_INVALID'),
  bad('azure:// account of 25 characters', repo('AZURE', `azure://${'a'.repeat(25)}/models`), 'AZURE_URL_INVALID'),
  bad('azure:// container of 64 characters', repo('AZURE', `azure://acct/${'c'.repeat(64)}`), 'AZURE_URL_INVALID'),
  bad('azure:// without a container', repo('AZURE', 'azure://acct'), 'AZURE_URL_INVALID'),
  bad('az:// with junk after the container', repo('AZURE', 'az://acct/models?x'), 'AZURE_URL_INVALID'),
  bad('azure:// container starting with a dash', repo('AZURE', 'azure://acct/-models'), 'AZURE_URL_INVALID'),
  bad('azure URL with junk after the container', repo('AZURE', `${AZ}/models?x`), 'AZURE_URL_INVALID'),
  bad('azure URL with text before it', repo('AZURE', `x${AZ}/models`), 'AZURE_URL_INVALID'),
];

const URL_ROWS: Row[] = [
  ok('https URL', repo('REMOTE_URL', 'https://x.example/y.tar.gz')),
  bad(
    'user and password in the URL',
    repo('REMOTE_URL', 'https://me:pw@x.example/y.tar.gz'),
    'REMOTE_URL_HAS_CREDENTIALS',
    'the REMOTE_URL carries user:password@ (https://<credentials>@x.example/…); put the credential in a secret, name it in runtime_secret_name and remove it from the URL',
  ),
  bad('a user name only in the URL', repo('REMOTE_URL', 'https://me@x.example/y.tar.gz'), 'REMOTE_URL_HAS_CREDENTIALS'),
  bad('a password only in the URL', repo('REMOTE_URL', 'https://:pw@x.example/y.tar.gz'), 'REMOTE_URL_HAS_CREDENTIALS'),
  bad(
    'credentials over plain http: the credential error, not the http warning',
    repo('REMOTE_URL', 'http://me:pw@x.example/y.tar.gz'),
    'REMOTE_URL_HAS_CREDENTIALS',
    '(http://<credentials>@x.example/…)',
  ),
  bad(
    'not a URL',
    repo('REMOTE_URL', 'not a url'),
    'REMOTE_URL_INVALID',
    'source REMOTE_URL needs an http(s) URL of a .tar.gz (got "not a url")',
  ),
  bad('ftp URL', repo('REMOTE_URL', 'ftp://x/y.tar.gz'), 'REMOTE_URL_INVALID'),
  bad('file URL', repo('REMOTE_URL', 'file:///etc/passwd'), 'REMOTE_URL_INVALID'),
  {
    name: 'plain http warns',
    doc: repo('REMOTE_URL', 'http://x.example/y.tar.gz'),
    expect: [['REMOTE_URL_PLAIN_HTTP', 'warning', REPO, 'plain http is not encrypted or authenticated; use https']],
  },
];

const OTHER_ROWS: Row[] = [
  {
    name: 'BASETEN_TRAINING without revision',
    doc: repo('BASETEN_TRAINING', 'job-1'),
    expect: [
      [
        'BASETEN_TRAINING_REVISION_REQUIRED',
        'error',
        CR,
        'source BASETEN_TRAINING needs revision (the training run); repo is the training job',
      ],
    ],
  },
  ok('BASETEN_TRAINING with revision', repo('BASETEN_TRAINING', 'job-1', { revision: 'run-3' })),
  {
    name: 'v1 without a checkpoint',
    doc: { trt_llm: { build: { checkpoint_repository: null } } },
    expect: [
      [
        'CHECKPOINT_REPOSITORY_REQUIRED',
        'error',
        CR,
        'trt_llm.build.checkpoint_repository is required for the v1 stack, e.g. {source: HF, repo: <org/name>}',
      ],
    ],
  },
  {
    name: 'v1 without a checkpoint, skip_build_result does not help',
    doc: { trt_llm: { build: { checkpoint_repository: null, skip_build_result: true } } },
    expect: [['CHECKPOINT_REPOSITORY_REQUIRED', 'error', CR, 'required for the v1 stack']],
  },
  {
    name: 'v2 without a checkpoint',
    base: BASE_V2,
    doc: { trt_llm: { build: { checkpoint_repository: undefined } } },
    expect: [
      [
        'CHECKPOINT_REPOSITORY_REQUIRED',
        'error',
        CR,
        'trt_llm.build.checkpoint_repository is required on v2 unless build.skip_build_result is true',
      ],
    ],
  },
  {
    name: 'v2 with checkpoint_repository: null (points at the key)',
    base: BASE_V2,
    doc: { trt_llm: { build: { checkpoint_repository: null } } },
    expect: [['CHECKPOINT_REPOSITORY_REQUIRED', 'error', CR, 'required on v2 unless build.skip_build_result is true']],
  },
  {
    name: 'v2 without a checkpoint but skip_build_result',
    base: BASE_V2,
    doc: { trt_llm: { build: { checkpoint_repository: undefined, skip_build_result: true } } },
    expect: [],
  },
  {
    name: 'v2 checkpoints are checked too',
    base: BASE_V2,
    doc: repo('S3', 'bucket/x'),
    expect: [['S3_URI_INVALID', 'error', REPO]],
  },
];

const REV = `${CR}.revision`;
const revision = (value: string, source = 'HF', r = 'a/b'): Json => repo(source, r, { revision: value });
const badRevision = (name: string, value: string): Row => ({
  name,
  doc: revision(value),
  expect: [
    [
      'CHECKPOINT_REVISION_INVALID',
      'error',
      REV,
      'revision must be a branch, tag or commit: at most 256 characters, no "..", no whitespace, control characters or backslashes, not starting with "/" or "-"',
    ],
  ],
});
const SHA = 'sha256:';
const badDigest = (name: string, value: string): Row => ({
  name,
  doc: revision(value, 'REMOTE_URL', 'https://x.example/y.tar.gz'),
  expect: [
    [
      'REMOTE_URL_REVISION_INVALID',
      'error',
      REV,
      'revision for REMOTE_URL must be "sha256:<64 hex>" (the digest of the file at the URL) or left out',
    ],
  ],
});
const REVISION_ROWS: Row[] = [
  ok('a branch', revision('main')),
  ok('a tag with single dots', revision('v1.0.2')),
  ok('a 40-hex commit', revision('0123456789abcdef0123456789abcdef01234567')),
  ok('a ref with slashes inside', revision('refs/pr/12')),
  ok('a ref ending in "/" or "-" (only the start is checked)', revision('feature/x-')),
  ok('a ref ending in "/"', revision('feature/')),
  ok('a 256-character revision', revision('r'.repeat(256))),
  ok('the printable neighbours of the refused range ("!" and "~")', revision('a!b~c')),
  badRevision('a 257-character revision', 'r'.repeat(257)),
  badRevision('".." alone', '..'),
  badRevision('".." inside', 'a/../b'),
  badRevision('a NUL', 'a\u0000b'),
  badRevision('a tab', 'a\tb'),
  badRevision('a newline', 'a\nb'),
  badRevision('a space (0x20, the top of the refused range)', 'a b'),
  badRevision('DEL (0x7f)', 'a\u007fb'),
  badRevision('a backslash', 'a\\b'),
  badRevision('a leading "/"', '/main'),
  badRevision('a leading "-"', '-main'),
  {
    name: 'BASETEN_TRAINING runs are checked like refs',
    doc: revision('../run', 'BASETEN_TRAINING', 'job-1'),
    expect: [['CHECKPOINT_REVISION_INVALID', 'error', REV]],
  },
  {
    name: 'an S3 revision is checked like a ref',
    doc: revision('-x', 'S3', 's3://bucket/x'),
    expect: [['CHECKPOINT_REVISION_INVALID', 'error', REV]],
  },
  ok('REMOTE_URL: a sha256 digest', revision(`${SHA}${'ab'.repeat(32)}`, 'REMOTE_URL', 'https://x.example/y.tar.gz')),
  ok('REMOTE_URL: upper-case hex', revision(`${SHA}${'AB'.repeat(32)}`, 'REMOTE_URL', 'https://x.example/y.tar.gz')),
  badDigest('REMOTE_URL: a branch name', 'main'),
  badDigest('REMOTE_URL: 63 hex digits', `${SHA}${'a'.repeat(63)}`),
  badDigest('REMOTE_URL: 65 hex digits', `${SHA}${'a'.repeat(65)}`),
  badDigest('REMOTE_URL: text before the digest', `x${SHA}${'a'.repeat(64)}`),
  badDigest('REMOTE_URL: a non-hex digit', `${SHA}${'g'.repeat(64)}`),
  badDigest('REMOTE_URL: sha512', `sha512:${'a'.repeat(64)}`),
];

const ADAPTERS = 'trt_llm.build.lora_adapters';
const adapters = (a: Json): Json => ({ trt_llm: { build: { lora_adapters: a } } });
const ADAPTER_ROWS: Row[] = [
  ok(
    'valid adapter repositories',
    adapters({ a: { source: 'HF', repo: 'org/adapter' }, b: { source: 'S3', repo: 's3://bucket/x' } }),
  ),
  {
    name: 'each adapter repository is checked against its source, at its own path',
    doc: adapters({
      good: { source: 'HF', repo: 'org/adapter' },
      bad: { source: 'S3', repo: 'bucket/x' },
    }),
    expect: [['S3_URI_INVALID', 'error', `${ADAPTERS}.bad.repo`, '(got "bucket/x")']],
  },
  {
    name: 'an adapter revision and secret name are checked too',
    doc: adapters({
      a: { source: 'HF', repo: 'org/adapter', revision: '/x', runtime_secret_name: `hf_${'a'.repeat(20)}` },
    }),
    expect: [
      ['CHECKPOINT_REVISION_INVALID', 'error', `${ADAPTERS}.a.revision`],
      ['SECRET_VALUE_AS_NAME', 'error', `${ADAPTERS}.a.runtime_secret_name`],
    ],
  },
];

const tokenRow = (name: string, value: string): Row => ({
  name,
  doc: repo('HF', 'a/b', { runtime_secret_name: value }),
  expect: [
    [
      'SECRET_VALUE_AS_NAME',
      'error',
      SECRET,
      'runtime_secret_name looks like a token, not a secret name; put the name of a secret declared under secrets here and rotate the token (the value is not shown)',
    ],
  ],
});
const undeclared = (name: string, value: string): Row => ({
  name,
  doc: repo('HF', 'a/b', { runtime_secret_name: value }),
  expect: [
    [
      'RUNTIME_SECRET_NOT_DECLARED',
      'warning',
      SECRET,
      `runtime_secret_name "${value}" is not declared under secrets; add secrets: {${value}: null}`,
    ],
  ],
});
const SECRET_ROWS: Row[] = [
  tokenRow('an hf_ token', `hf_${'a'.repeat(20)}`),
  undeclared('hf_ with 19 characters is a name', `hf_${'a'.repeat(19)}`),
  tokenRow('an sk- key', `sk-${'a'.repeat(20)}`),
  undeclared('sk- with 19 characters', `sk-${'a'.repeat(19)}`),
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map((p) => tokenRow(`a GitHub ${p} token`, `${p}${'a'.repeat(20)}`)),
  undeclared('ghx_ is not a GitHub prefix', `ghx_${'a'.repeat(20)}`),
  tokenRow('an AWS access key id', `AKIA${'A'.repeat(16)}`),
  undeclared('AKIA with 15 characters', `AKIA${'A'.repeat(15)}`),
  undeclared('AKIA with 17 characters (a key id is exactly 20)', `AKIA${'A'.repeat(17)}`),
  undeclared('AKIA with lower-case characters', `AKIA${'a'.repeat(16)}`),
  tokenRow('an sk- key with "_" and "-"', `sk-${'a_-'.repeat(7)}`),
  tokenRow('a 40-character opaque value', 'a'.repeat(40)),
  undeclared('a 39-character name', 'a'.repeat(39)),
  tokenRow('an opaque value with + and /', `${'a'.repeat(38)}+/`),
  undeclared('a token prefix inside a name', `my_hf_${'a'.repeat(20)}`),
  undeclared('a token followed by a "."', `hf_${'a'.repeat(20)}.x`),
  {
    name: 'a declared secret',
    doc: {
      secrets: { my_token: null },
      ...(repo('HF', 'a/b', { runtime_secret_name: 'my_token' }) as Record<string, Json>),
    },
    expect: [],
  },
  { name: 'the default secret name, declared', doc: repo('HF', 'a/b'), expect: [] },
  {
    name: 'the default secret name, not declared, not written: quiet',
    doc: { secrets: undefined, ...(repo('HF', 'a/b') as Record<string, Json>) },
    expect: [],
  },
  {
    name: 'the default secret name written but not declared',
    doc: {
      secrets: undefined,
      ...(repo('HF', 'a/b', { runtime_secret_name: 'hf_access_token' }) as Record<string, Json>),
    },
    expect: [['RUNTIME_SECRET_NOT_DECLARED', 'warning', SECRET]],
  },
];

describe('checkpoint rules: exact findings', () => {
  it.each([
    ...HF_ROWS,
    ...S3_ROWS,
    ...GCS_ROWS,
    ...AZURE_ROWS,
    ...URL_ROWS,
    ...OTHER_ROWS,
    ...REVISION_ROWS,
    ...ADAPTER_ROWS,
    ...SECRET_ROWS,
  ])('$name', (row) => {
    expectExactly(row);
  });
});

describe('checkpoint rules: credentials in a REMOTE_URL', () => {
  it('the message names the host but never quotes the user or password', () => {
    const result = expectExactly(
      bad('credentials', repo('REMOTE_URL', 'https://me:s3cret@x.example/y.tar.gz'), 'REMOTE_URL_HAS_CREDENTIALS'),
    );
    const message = result.errors[0]?.message ?? '';
    expect(message).toContain('x.example');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('me:');
  });
});
