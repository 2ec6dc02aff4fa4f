import { createHash } from 'node:crypto';
import { ReviewAppError } from '../core/errors.js';
import { encodeTagValue, TAG_PREFIX } from '../core/tags.js';
import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from './sdk/ecs.js';
import type { GuardSettings } from './settings.js';
import { GUARD_CONTAINER } from './stop-explanation.js';

/** Fields of DescribeTaskDefinition's answer that RegisterTaskDefinition refuses. */
const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

export interface ReviewDefinition {
  input: RegisterTaskDefinitionCommandInput;
  appContainer: ContainerDefinition;
  /** What makes two revisions interchangeable: base revision, image and guard. */
  fingerprint: string;
}

/** The family review revisions are registered in: ECS_TASK_FAMILY, or `<base family>-review-app`. */
export function reviewFamilyOf(baseFamily: string, configured: string | undefined): string {
  return configured ?? `${baseFamily}-review-app`;
}

export const FINGERPRINT_TAG = `${TAG_PREFIX}fingerprint`;
const BASE_TAG = `${TAG_PREFIX}base`;

/** The container that runs the app: the named one, or the first essential one. */
export function pickAppContainer(base: TaskDefinition, name?: string): ContainerDefinition {
  const containers = base.containerDefinitions ?? [];
  const container = name
    ? containers.find((c) => c.name === name)
    : (containers.find((c) => c.essential !== false) ?? containers[0]);
  if (!container) {
    const names = containers.map((c) => c.name).join(', ') || 'none';
    throw new ReviewAppError(
      'TASK_DEFINITION_INVALID',
      name
        ? `ECS_CONTAINER is ${name}, but ${base.family} has no container of that name (it has: ${names}).`
        : `${base.family} has no container to run the app in.`,
    );
  }
  return container;
}

/**
 * A copy of the base task definition that runs `image` in the app container
 * and carries its own hard lifetime, registered under the review family so
 * that nothing following the base family ever picks up a review image.
 */
export function buildReviewDefinition(
  base: TaskDefinition,
  baseTags: Tag[] | undefined,
  options: { image: string; family: string; container?: string; guard: GuardSettings },
): ReviewDefinition {
  const app = pickAppContainer(base, options.container);
  const copy: Record<string, unknown> = { ...base };
  for (const field of READ_ONLY) delete copy[field];
  const seconds = Math.ceil(options.guard.maxLifetimeMs / 1000);

  const containers = (base.containerDefinitions ?? []).map((c) =>
    c.name === app.name
      ? withLifetime({ ...c, image: options.image }, options.guard.mode, seconds)
      : { ...c },
  );
  if (options.guard.mode === 'container') {
    containers.push({
      name: GUARD_CONTAINER,
      image: options.guard.reaperImage,
      essential: true,
      command: ['sleep', String(seconds)],
      // busybox sleep ignores SIGTERM as PID 1; let ECS kill it quickly on StopTask.
      stopTimeout: 2,
      ...(app.logConfiguration ? { logConfiguration: app.logConfiguration } : {}),
    });
  }

  // Hashed: the image reference alone may be longer than a tag value, and a cut would lose the commit.
  const fingerprint = createHash('sha256')
    .update([base.taskDefinitionArn, options.image, options.guard.mode, seconds].join('\n'))
    .digest('hex');
  const ownTags = (baseTags ?? []).filter(
    (t) => !t.key?.startsWith(TAG_PREFIX) && !t.key?.startsWith('aws:'),
  );
  const input = {
    ...copy,
    family: options.family,
    containerDefinitions: containers,
    tags: [
      ...ownTags.slice(0, 47),
      { key: BASE_TAG, value: encodeTagValue(base.taskDefinitionArn ?? '') },
      { key: FINGERPRINT_TAG, value: fingerprint },
    ],
  } as RegisterTaskDefinitionCommandInput;
  return { input, appContainer: app, fingerprint };
}

function withLifetime(
  container: ContainerDefinition,
  mode: GuardSettings['mode'],
  seconds: number,
): ContainerDefinition {
  if (mode === 'container') return { ...container, essential: true };
  // ECS `command` is Docker's CMD: the image's ENTRYPOINT still runs and would get
  // `timeout N ...` as its arguments. Only an entry point spelled out in the task
  // definition can be wrapped, with the command kept as timeout's remaining arguments.
  const entryPoint = container.entryPoint ?? [];
  if (entryPoint.length === 0) {
    throw new ReviewAppError(
      'TASK_DEFINITION_INVALID',
      `REVIEW_APP_TTL_MODE=command needs the entry point of container ${container.name} in the task definition, and it has none: the image's ENTRYPOINT would receive "timeout" as an argument. Add "entryPoint" to container ${container.name} (the image's ENTRYPOINT, e.g. ["docker-entrypoint.sh"], or ["sh", "-c"] with the command), or use REVIEW_APP_TTL_MODE=container.`,
      { container: container.name },
    );
  }
  return {
    ...container,
    essential: true,
    entryPoint: ['timeout', String(seconds), ...entryPoint],
  };
}

export function containerPort(container: ContainerDefinition): number | undefined {
  return container.portMappings?.find((m) => m.containerPort !== undefined)?.containerPort;
}
