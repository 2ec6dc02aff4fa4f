import type { Gitlab } from '@gitbeaker/rest';
import { type CheckResult, failed, failedWith, passed } from '../core/check.js';
import { resolveImage } from '../core/image.js';
import { networkFailure } from '../core/network-failure.js';
import type { ImageSettings } from '../core/settings.js';
import { isGitbeakerRequestError, isGitbeakerTimeoutError, requestStatus } from './client.js';
import { roleCheck } from './doctor-role.js';
import { createGitLabClient } from './requester.js';
import { tokenSelfSchema } from './schemas.js';
import type { GitLabSettings } from './settings.js';
import type { GitLabSource } from './source.js';

/** The settings that make the bot write to GitLab (environments, the MR's note). */
function writesOn(settings: GitLabSettings): string[] {
  return [
    ...(settings.environments ? ['GITLAB_ENVIRONMENTS'] : []),
    ...(settings.mrNotes ? ['GITLAB_MR_NOTES'] : []),
  ];
}

/** Scopes the bot's token needs; `api` includes `read_api`, and is what GitLab writes need. */
function neededScopes(settings: GitLabSettings): (readonly string[])[] {
  return [['read_api', 'api'], ['read_registry'], ...(writesOn(settings).length ? [['api']] : [])];
}

/**
 * What `review-app doctor` asks GitLab, read-only: the token (and its scopes),
 * the project, its registry repository, and an image for an open MR.
 */
export async function gitlabChecks(
  settings: GitLabSettings,
  source: GitLabSource,
  image: ImageSettings,
): Promise<CheckResult[]> {
  const token = await gitlabTokenCheck(settings);
  return [token.result, ...(await gitlabProjectChecks(token, settings, source, image))];
}

/** The token's own check, and whether what failed was only a scope. */
export interface TokenCheck {
  result: CheckResult;
  lacksScopes: boolean;
}

/**
 * The token, checked once for every project it serves: `settings` asks for the scopes
 * of all of them (GITLAB_ENVIRONMENTS or GITLAB_MR_NOTES on in any needs `api`).
 */
export async function gitlabTokenCheck(settings: GitLabSettings): Promise<TokenCheck> {
  const { lacksScopes, ...result } = await tokenCheck(createGitLabClient(settings), settings);
  return { result, lacksScopes: lacksScopes === true };
}

/** One project's checks after the token's: the project, the token's role there, its images. */
export async function gitlabProjectChecks(
  token: TokenCheck,
  settings: GitLabSettings,
  source: GitLabSource,
  image: ImageSettings,
): Promise<CheckResult[]> {
  const writes = writesOn(settings).length > 0;
  // Without a working token nothing else can be looked at: the token's line says so once. One
  // that lacks a scope for the writes still tells its role, so that both fixes are named at once.
  if (!token.result.ok && !(token.lacksScopes && writes)) return [];
  const project = await projectCheck(source);
  if (!project.ok) return [project];
  const role = writes ? [roleCheck(settings, await source.readProject())] : [];
  if (!token.result.ok) return [project, ...role];
  return [project, ...role, ...(await imageChecks(source, image))];
}

async function tokenCheck(
  api: InstanceType<typeof Gitlab>,
  settings: GitLabSettings,
): Promise<CheckResult & { lacksScopes?: boolean }> {
  const name = 'GitLab token';
  try {
    const self = tokenSelfSchema.parse(await api.PersonalAccessTokens.show());
    const missing = neededScopes(settings)
      .filter((any) => !any.some((s) => self.scopes.includes(s)))
      .map((any) => any[0]);
    if (self.active === false)
      return failed(name, 'GITLAB_TOKEN is revoked or expired: create a new one.');
    if (missing.length > 0) {
      const writes = writesOn(settings);
      const api = `api (${writes.join(' and ')} ${writes.length === 1 ? 'is' : 'are'} on)`;
      return {
        ...failed(
          name,
          `GITLAB_TOKEN lacks the scope${missing.length === 1 ? '' : 's'} ${missing.join(' and ')} (it has ${self.scopes.join(', ') || 'none'}): create a token with ${writes.length ? api : 'read_api'} and read_registry.`,
        ),
        lacksScopes: true,
      };
    }
    const expires = self.expires_at ? `, expires ${self.expires_at}` : '';
    return passed(
      name,
      `${settings.url} answers; the token has ${self.scopes.join(', ')}${expires}.`,
    );
  } catch (error) {
    const status = requestStatus(error);
    if (status === 401) {
      return failed(
        name,
        `GitLab at ${settings.url} refused GITLAB_TOKEN (401): it is wrong, revoked or expired; create a token with read_api and read_registry.`,
      );
    }
    // Before GitLab 16.0 a token cannot describe itself; the other checks still tell.
    if (status === 404)
      return passed(name, `${settings.url} answers (this GitLab cannot list a token's scopes).`);
    if (
      status === undefined &&
      !isGitbeakerTimeoutError(error) &&
      !isGitbeakerRequestError(error)
    ) {
      const failure = networkFailure(error);
      return failed(
        name,
        `Cannot reach GitLab at ${settings.url}${failure ? ` (${failure})` : ''}: check GITLAB_URL and the network.`,
      );
    }
    if (isGitbeakerTimeoutError(error)) {
      return failed(
        name,
        `GitLab at ${settings.url} did not answer in time: check GITLAB_URL and the network.`,
      );
    }
    return failed(name, `GitLab at ${settings.url} answered HTTP ${status}: check GITLAB_URL.`);
  }
}

/** Read through the source, which keeps what it read: the image checks need the project's path. */
async function projectCheck(source: GitLabSource) {
  const name = 'GitLab project';
  try {
    const project = await source.readProject();
    return passed(name, `${project.path} (id ${project.id}) found.`);
  } catch (error) {
    return failedWith(name, error);
  }
}

async function imageChecks(source: GitLabSource, image: ImageSettings): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (image.imageTemplate) {
    results.push(passed('Registry repository', 'Not used: images come from IMAGE_TEMPLATE.'));
  } else {
    try {
      const found = await source.hasRegistryRepository();
      results.push(
        found
          ? passed(
              'Registry repository',
              `${image.registryRepository ?? (await source.projectPath())} found.`,
            )
          : failed(
              'Registry repository',
              'The project’s container registry has no repository yet: run the CI job that pushes the image, or set REGISTRY_REPOSITORY.',
            ),
      );
      if (!found) return results;
    } catch (error) {
      return [...results, failedWith('Registry repository', error)];
    }
  }
  // Only an MR whose pipeline succeeded tells whether the tag template finds its image.
  const name = 'Image of an open MR';
  try {
    for (const summary of await source.searchOpenMergeRequests('', 5)) {
      const mr = await source.getMergeRequest(summary.iid);
      if (mr.headPipeline?.status !== 'success') continue;
      const found = await resolveImage(source, image, mr);
      return [...results, passed(name, `!${mr.iid}: ${found}`)];
    }
    return [...results, passed(name, 'No open merge request has a successful pipeline to check.')];
  } catch (error) {
    return [...results, failedWith(name, error)];
  }
}
