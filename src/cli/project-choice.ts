import { type CatalogueEntry, type ProjectCatalogue, referenceForm } from '../core/catalogue.js';

/** A choice the CLI cannot make: exit 2, with the one line that says how to make it. */
export class ProjectChoiceError extends Error {}

/** What names the project on the command line, and around it. */
export interface ProjectHints {
  /** --project. */
  flag?: string | undefined;
  /**
   * GitLab's predefined variable in a CI job: "the namespace with project name" (acme/shop)
   * of the project whose pipeline runs the CLI (docs.gitlab.com/ci/variables/predefined_variables).
   */
  ciProjectPath?: string | undefined;
}

/**
 * The project and MR number a command means, among several projects: the reference
 * (`acme/shop!42`, `shop!42`, an MR's URL), else --project, else the CI job's own project
 * (CI_PROJECT_PATH), else the only project. Two that disagree are refused rather than one
 * silently winning: a CI job's --project and its reference come from different places.
 */
export function chooseProject<P extends CatalogueEntry>(
  catalogue: ProjectCatalogue<P>,
  reference: string,
  hints: ProjectHints,
): { project: P; mr: number } {
  const flagged = hints.flag === undefined ? undefined : named(catalogue, hints.flag);
  const resolution = catalogue.resolve(reference);
  // `acme/shop!42`, `shop!42` and MR URLs carry their project; `42` and `!42` do not.
  if (resolution.kind === 'project' && referenceForm(reference) !== 'bare') {
    if (flagged && flagged !== resolution.project)
      throw new ProjectChoiceError(
        `--project ${hints.flag} and ${reference.trim()} name different projects: give only one of them.`,
      );
    return resolution;
  }
  if (flagged) return { project: flagged, mr: resolution.mr };
  if (resolution.kind === 'project') return resolution;
  const ci = hints.ciProjectPath?.trim();
  if (ci) {
    const project = catalogue.find(ci);
    if (!project)
      throw new ProjectChoiceError(
        `This CI job's project ${ci} (CI_PROJECT_PATH) is not one this bot serves (${paths(catalogue)}): ${howToPick(catalogue, resolution.mr)}`,
      );
    return { project, mr: resolution.mr };
  }
  throw new ProjectChoiceError(
    `Several projects are served (${paths(catalogue)}): ${howToPick(catalogue, resolution.mr)}`,
  );
}

/** A project by --project, or the line that names the served ones. */
function named<P extends CatalogueEntry>(catalogue: ProjectCatalogue<P>, name: string): P {
  const project = catalogue.find(name);
  if (project) return project;
  throw new ProjectChoiceError(
    `--project ${name} is not a project this bot serves: it serves ${paths(catalogue)}.`,
  );
}

function paths<P extends CatalogueEntry>(catalogue: ProjectCatalogue<P>): string {
  return catalogue.projects.map((project) => project.path).join(', ');
}

function howToPick<P extends CatalogueEntry>(catalogue: ProjectCatalogue<P>, mr: number): string {
  const name = catalogue.nameOf(catalogue.projects[0] as P);
  return `name one, as in ${name}!${mr} or ${mr} --project ${name}.`;
}

/** `acme/shop!42` or `shop!42`: a reference that names its project (an MR URL is read as before). */
export function carriesProjectName(reference: string): boolean {
  return referenceForm(reference) === 'named';
}
