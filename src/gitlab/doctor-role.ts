import { type CheckResult, failed, passed } from '../core/check.js';
import type { GitLabSettings } from './settings.js';
import type { ProjectFacts } from './source.js';

/** Gitlab::Access levels and their role names (docs.gitlab.com/api/access_requests). */
const ROLES: [number, string][] = [
  [50, 'Owner'],
  [40, 'Maintainer'],
  [30, 'Developer'],
  [20, 'Reporter'],
  [15, 'Planner'],
  [10, 'Guest'],
  [5, 'Minimal Access'],
];

function roleName(level: number): string {
  return ROLES.find(([at]) => level >= at)?.[1] ?? 'no role';
}

/** What the writes the bot was told to make ask of its token user's role. */
function needed(settings: GitLabSettings, project: ProjectFacts): { level: number; by: string }[] {
  const needs: { level: number; by: string }[] = [];
  // Creating, stopping and deleting environments needs Developer (docs.gitlab.com/user/permissions).
  if (settings.environments) needs.push({ level: 30, by: 'GITLAB_ENVIRONMENTS' });
  // A Guest sees no merge requests of a private project, so cannot comment on them;
  // in a public or internal project any signed-in user can.
  if (settings.mrNotes && project.visibility !== 'public' && project.visibility !== 'internal')
    needs.push({ level: 20, by: 'GITLAB_MR_NOTES' });
  return needs;
}

/**
 * `review-app doctor`'s role line, when the bot writes to GitLab: a token with the `api`
 * scope whose user is only a Reporter passes the scope check and then has every
 * environment write refused with 403.
 */
export function roleCheck(settings: GitLabSettings, project: ProjectFacts): CheckResult {
  const name = 'GitLab role';
  const on = [settings.environments && 'GITLAB_ENVIRONMENTS', settings.mrNotes && 'GITLAB_MR_NOTES']
    .filter((s): s is string => typeof s === 'string')
    .join(' and ');
  if (project.accessLevel === undefined)
    return passed(name, `GitLab does not tell the token's role in ${project.path}.`);
  const has = project.accessLevel;
  const article = has > 0 ? `a ${roleName(has)}` : 'not a member';
  const short = needed(settings, project).filter((need) => has < need.level);
  if (short.length === 0)
    return passed(name, `The token's user is ${article} in ${project.path}: enough for ${on}.`);
  const want = Math.max(...short.map((need) => need.level));
  const by = short.map((need) => need.by).join(' and ');
  return failed(
    name,
    `The token's user is ${article} in ${project.path}, and ${by} needs at least ${roleName(want)}: give that user the ${roleName(want)} role in ${project.path} (or create the token as a user who has it).`,
  );
}
