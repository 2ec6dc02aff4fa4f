import { type CatalogueEntry, ProjectCatalogue } from './catalogue.js';
import type { ReviewAppEngine } from './engine.js';
import { AppSurvey, type ListTasks, type SurveyOptions } from './survey.js';
import type { ReviewApp } from './types.js';

/** Whatever names its project as apps' tags do. */
type OfProject = { meta: { project: string } };

/** A project the bot serves: its path, the channels it is the default in, and its engine. */
export interface ServedProject extends CatalogueEntry {
  engine: ReviewAppEngine;
}

/**
 * Every project one bot serves, each with its own engine (task definition, registry,
 * rules), over one cluster: a watch round reads ECS once for all of them and hands each
 * app to its own project's engine. The one-project setup is a fleet of one.
 */
export class ReviewAppFleet<P extends ServedProject = ServedProject> {
  readonly catalogue: ProjectCatalogue<P>;
  private readonly survey_: AppSurvey;
  /** Each project by its path as its apps' tags carry it, lower-cased (GitLab paths are). */
  private byPath: Map<string, P> | undefined;
  /** Until then, the paths as configured (a numeric project id is only known once resolved). */
  private readonly configured: Map<string, P>;

  constructor(
    readonly projects: readonly P[],
    /** One listing for every project, as they share the cluster (the first engine's by default). */
    options: { list?: ListTasks } = {},
  ) {
    const first = projects[0];
    if (!first) throw new Error('a fleet needs at least one project');
    this.catalogue = new ProjectCatalogue(projects, first.engine.gitlabUrl);
    this.configured = new Map(
      projects
        .filter((project) => project.path !== '' && !/^\d+$/.test(project.path))
        .map((project) => [project.path.toLowerCase(), project]),
    );
    const list: ListTasks = options.list ?? ((listing) => first.engine.listTasks(listing));
    this.survey_ = new AppSurvey(list, async () => {
      const paths = await this.paths();
      return (project) => paths.has(project.toLowerCase());
    });
  }

  /** A fleet of one engine: a one-project setup (the CLI, tests). */
  static of(engine: ReviewAppEngine, path = ''): ReviewAppFleet {
    return new ReviewAppFleet([{ path, channels: [], engine }]);
  }

  /** The one project of a one-project setup; undefined when there are several. */
  get only(): P | undefined {
    return this.projects.length === 1 ? this.projects[0] : undefined;
  }

  /**
   * The project whose path the app's tags carry: as GitLab names it once `paths` has been
   * read (every survey does), as configured before.
   */
  projectOf(app: OfProject): P | undefined {
    const path = app.meta.project.toLowerCase();
    return this.byPath?.get(path) ?? this.configured.get(path) ?? this.only;
  }

  /** The engine of the app's project; the only one in a one-project setup. */
  engineOf(app: OfProject): ReviewAppEngine {
    const project = this.projectOf(app);
    if (!project) throw new Error(`no project serves ${app.meta.project}`);
    return project.engine;
  }

  /** A project by the path its apps carry, resolving configured numeric ids once. */
  async project(path: string): Promise<P | undefined> {
    return (await this.paths()).get(path.toLowerCase());
  }

  /**
   * Every served project's apps as ECS shows them now, read once for all of them (see
   * AppSurvey): each app's project is `projectOf(app)`.
   */
  survey(options: SurveyOptions = {}): Promise<{ apps: ReviewApp[]; missing: string[] }> {
    return this.survey_.survey(options);
  }

  /** Running apps of every project, from one reading of ECS. */
  async list(): Promise<ReviewApp[]> {
    return (await this.survey()).apps.filter(
      (app) => app.task.lastStatus !== 'STOPPED' && app.task.desiredStatus !== 'STOPPED',
    );
  }

  /** Tasks every engine started since the last call. */
  drainLaunched(): string[] {
    return this.projects.flatMap((project) => project.engine.drainLaunched());
  }

  isStarting(arn: string): boolean {
    return this.projects.some((project) => project.engine.isStarting(arn));
  }

  /** See ReviewAppEngine.endReportedByLaunch: asked of every engine, each forgets it once asked. */
  endReportedByLaunch(arn: string): boolean {
    let reported = false;
    for (const project of this.projects) {
      if (project.engine.endReportedByLaunch(arn)) reported = true;
    }
    return reported;
  }

  /** Apps grouped by their project's engine, in the projects' order. */
  byEngine(apps: ReviewApp[]): { engine: ReviewAppEngine; project: P; apps: ReviewApp[] }[] {
    const groups = new Map<P, ReviewApp[]>();
    for (const app of apps) {
      const project = this.projectOf(app);
      if (!project) continue;
      const group = groups.get(project);
      if (group) group.push(app);
      else groups.set(project, [app]);
    }
    return this.projects
      .filter((project) => groups.has(project))
      .map((project) => ({ engine: project.engine, project, apps: groups.get(project) ?? [] }));
  }

  private async paths(): Promise<Map<string, P>> {
    if (this.byPath) return this.byPath;
    const entries = await Promise.all(
      this.projects.map(
        async (project) => [(await project.engine.projectPath()).toLowerCase(), project] as const,
      ),
    );
    this.byPath = new Map(entries);
    return this.byPath;
  }
}
