/** Checkpoint repositories (Truss V1-1, V2-1, B2) and their source-specific URL rules. */
import type { CheckpointRepository } from '../schema/checkpoint.js';
import type { PathSegment } from '../yaml-source.js';
import { AZURE_SHORT_SCHEMES, CHECKPOINT_URL_SCHEMES } from '../checkpoint-schemes.js';
import { redactUrl } from '../redact-url.js';
import { error, warning } from './types.js';
import type { Finding, RuleContext } from './types.js';

const HF_PART = /^[\w.-]{1,96}$/;
const WORD_EDGES = /^\w(?:.*\w)?$/s;
// Built from the one scheme table, so the validator accepts exactly what the worker fetches.
const alt = (schemes: readonly string[]): string => `(?:${schemes.join('|')})`;
/** The accepted forms of a URL source, as its error message lists them. */
const forms = (source: 'S3' | 'GCS' | 'AZURE'): string => CHECKPOINT_URL_SCHEMES[source].forms.join(' or ');
const S3_URI = new RegExp(
  `^${alt(CHECKPOINT_URL_SCHEMES.S3.schemes)}:\\/\\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\\/.*)?$`,
);
const GCS_URI = new RegExp(
  `^${alt(CHECKPOINT_URL_SCHEMES.GCS.schemes)}:\\/\\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\\/.*)?$`,
);
/** GCS bucket names: 3-63 characters, or up to 222 with dots, each dot-separated part 1-63 characters. */
const GCS_PART = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
function gcsUriOk(uri: string): boolean {
  const bucket = GCS_URI.exec(uri)?.[1];
  if (bucket === undefined) return false;
  // One part (no dots) of at most 63 is the 3-63 rule; the regex bounds the whole at 222.
  return bucket.split('.').every((part) => GCS_PART.test(part));
}
const AZURE_URL = new RegExp(
  `^(?:https:\\/\\/[a-z0-9]{3,24}\\.blob\\.core\\.windows\\.net\\/[a-z0-9][a-z0-9-]{2,62}(?:\\/.*)?|${alt(AZURE_SHORT_SCHEMES)}:\\/\\/[a-z0-9]{3,24}\\/[a-z0-9][a-z0-9-]{2,62}(?:\\/.*)?)$`,
);
// Path-like text that must never reach a URL path or a file name: `..` segments, NUL and other
// control characters, backslashes, whitespace.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const UNSAFE_REF = /\.\.|[\x00-\x20\x7f\\]/;
const TOKEN_SHAPED =
  /^(?:hf_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[A-Z0-9]{16}|[A-Za-z0-9+/_-]{40,})$/;

/** Why `repo` is not a valid Hugging Face repo id, or undefined when it is. */
export function hfRepoIdProblem(repo: string): string | undefined {
  const parts = repo.split('/');
  if (parts.length > 2) return 'a Hugging Face repo id is <org>/<name> with at most one "/"';
  for (const part of parts) {
    if (!HF_PART.test(part)) return 'each part must be 1-96 characters of letters, digits, "_", "-" or "."';
    if (!WORD_EDGES.test(part)) return 'a part may not start or end with "-" or "."';
  }
  if (repo.includes('--') || repo.includes('..')) return '"--" and ".." are not allowed';
  if (repo.endsWith('.git')) return 'a repo id may not end with ".git"';
  return undefined;
}

function repoFindings(repo: CheckpointRepository, path: readonly PathSegment[], ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const repoPath = [...path, 'repo'];
  const safe = redactUrl(repo.repo);
  const shown = JSON.stringify(safe.length > 80 ? `${safe.slice(0, 77)}...` : safe);
  switch (repo.source) {
    case 'HF': {
      const problem = hfRepoIdProblem(repo.repo);
      if (problem)
        out.push(
          error(
            'HF_REPO_ID_INVALID',
            repoPath,
            `invalid Hugging Face repo id ${shown}: ${problem} (e.g. meta-llama/Llama-3.1-8B-Instruct)`,
          ),
        );
      break;
    }
    case 'S3':
      if (!S3_URI.test(repo.repo))
        out.push(error('S3_URI_INVALID', repoPath, `source S3 needs repo ${forms('S3')} (got ${shown})`));
      break;
    case 'GCS':
      if (!gcsUriOk(repo.repo))
        out.push(error('GCS_URI_INVALID', repoPath, `source GCS needs repo ${forms('GCS')} (got ${shown})`));
      break;
    case 'AZURE':
      if (!AZURE_URL.test(repo.repo)) {
        out.push(
          error('AZURE_URL_INVALID', repoPath, `source AZURE needs a container URL ${forms('AZURE')} (got ${shown})`),
        );
      }
      break;
    case 'REMOTE_URL': {
      const url = URL.canParse(repo.repo) ? new URL(repo.repo) : undefined;
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        out.push(
          error('REMOTE_URL_INVALID', repoPath, `source REMOTE_URL needs an http(s) URL of a .tar.gz (got ${shown})`),
        );
      } else if (url.username !== '' || url.password !== '') {
        // Never quote the URL here: the userinfo is a credential.
        out.push(
          error(
            'REMOTE_URL_HAS_CREDENTIALS',
            repoPath,
            `the REMOTE_URL carries user:password@ (${url.protocol}//<credentials>@${url.host}/…); put the credential in a secret, name it in runtime_secret_name and remove it from the URL`,
          ),
        );
      } else if (url.protocol === 'http:') {
        out.push(warning('REMOTE_URL_PLAIN_HTTP', repoPath, 'plain http is not encrypted or authenticated; use https'));
      }
      break;
    }
    case 'BASETEN_TRAINING':
      if (repo.revision === null)
        out.push(
          error(
            'BASETEN_TRAINING_REVISION_REQUIRED',
            path,
            'source BASETEN_TRAINING needs revision (the training run); repo is the training job',
            'key',
          ),
        );
      break;
  }
  out.push(...revisionFindings(repo, [...path, 'revision']));
  const secretPath = [...path, 'runtime_secret_name'];
  if (TOKEN_SHAPED.test(repo.runtime_secret_name)) {
    out.push(
      error(
        'SECRET_VALUE_AS_NAME',
        secretPath,
        'runtime_secret_name looks like a token, not a secret name; put the name of a secret declared under secrets here and rotate the token (the value is not shown)',
      ),
    );
  } else if (ctx.userSet.has(secretPath.join('.')) && !ctx.secretNames.includes(repo.runtime_secret_name)) {
    out.push(
      warning(
        'RUNTIME_SECRET_NOT_DECLARED',
        secretPath,
        `runtime_secret_name ${JSON.stringify(repo.runtime_secret_name)} is not declared under secrets; add secrets: {${repo.runtime_secret_name}: null}`,
      ),
    );
  }
  return out;
}

// A revision becomes part of a URL path (HF `resolve/<rev>/…`) or an identity: no `..`, no control
// characters or whitespace; REMOTE_URL takes only the file's digest.
function revisionFindings(repo: CheckpointRepository, path: readonly PathSegment[]): Finding[] {
  const rev = repo.revision;
  if (rev === null) return [];
  if (repo.source === 'REMOTE_URL') {
    return /^sha256:[0-9a-fA-F]{64}$/.test(rev)
      ? []
      : [
          error(
            'REMOTE_URL_REVISION_INVALID',
            path,
            'revision for REMOTE_URL must be "sha256:<64 hex>" (the digest of the file at the URL) or left out',
          ),
        ];
  }
  if (rev.length > 256 || UNSAFE_REF.test(rev) || rev.startsWith('/') || rev.startsWith('-')) {
    return [
      error(
        'CHECKPOINT_REVISION_INVALID',
        path,
        'revision must be a branch, tag or commit: at most 256 characters, no "..", no whitespace, control characters or backslashes, not starting with "/" or "-"',
      ),
    ];
  }
  return [];
}

/** The build checkpoint is required (v2: unless skip_build_result), and every repo must fit its source. */
export function checkpointRules(ctx: RuleContext): Finding[] {
  const b = ctx.trtLlm.build;
  const out: Finding[] = [];
  const path = ['trt_llm', 'build', 'checkpoint_repository'];
  if (b.checkpoint_repository === null) {
    if (ctx.trtLlm.inference_stack === 'v1') {
      out.push(
        error(
          'CHECKPOINT_REPOSITORY_REQUIRED',
          path,
          'trt_llm.build.checkpoint_repository is required for the v1 stack, e.g. {source: HF, repo: <org/name>}',
          'key',
        ),
      );
    } else if (!b.skip_build_result) {
      out.push(
        error(
          'CHECKPOINT_REPOSITORY_REQUIRED',
          path,
          'trt_llm.build.checkpoint_repository is required on v2 unless build.skip_build_result is true',
          'key',
        ),
      );
    }
  } else {
    out.push(...repoFindings(b.checkpoint_repository, path, ctx));
  }
  for (const [name, repo] of Object.entries(b.lora_adapters ?? {})) {
    out.push(...repoFindings(repo, ['trt_llm', 'build', 'lora_adapters', name], ctx));
  }
  return out;
}
