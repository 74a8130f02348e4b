/** Maps Hugging Face Hub responses (status + `X-Error-Code`) to distinct, typed errors. */
import { SourceError } from './errors.js';
import { statusError } from '../util/http-download.js';

/** The HF error for a non-2xx hub response, using `X-Error-Code` when present. */
export function hfStatusError(status: number, errorCode: string | null, label: string): SourceError {
  switch (errorCode) {
    case 'GatedRepo':
      return new SourceError(
        'HF_REPO_GATED',
        `${label}: the repository is gated; accept its terms on the hub with the account whose token the secret holds (HTTP ${status})`,
      );
    case 'RepoNotFound':
      return status === 401
        ? new SourceError(
            'HF_REPO_UNAUTHORIZED',
            `${label}: the repository is private or does not exist, and the request was not authorized; set a valid token in the named secret (HTTP 401)`,
          )
        : new SourceError('HF_REPO_NOT_FOUND', `${label}: the repository does not exist (HTTP ${status})`);
    case 'RevisionNotFound':
      return new SourceError('HF_REVISION_NOT_FOUND', `${label}: the revision does not exist (HTTP ${status})`);
    case 'EntryNotFound':
      return new SourceError(
        'HF_FILE_NOT_FOUND',
        `${label}: the file does not exist at this revision (HTTP ${status})`,
      );
    case null:
    default:
      break;
  }
  if (status === 401)
    return new SourceError(
      'HF_REPO_UNAUTHORIZED',
      `${label}: not authorized; the repository is private or the token is invalid (HTTP 401)`,
    );
  if (status === 403)
    return new SourceError(
      'HF_REPO_GATED',
      `${label}: access forbidden; the repository is gated or the token lacks access (HTTP 403)`,
    );
  if (status === 404) return new SourceError('HF_REPO_NOT_FOUND', `${label}: not found (HTTP 404)`);
  return statusError(status, label);
}
