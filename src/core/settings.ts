/**
 * What the engine needs to know, owned by the engine. config/ parses the
 * environment into this; adapters (gitlab/, aws/, slack/) own their own
 * settings types beside their code, so the engine never learns a platform's
 * knobs.
 */
export interface EngineSettings {
  gitlab: {
    /** GitLab's base URL, for reading MR URLs. */
    url: string;
    /** The project's id or path, as configured. */
    project: string;
  };
  image: ImageSettings;
  lifetime: LifetimeSettings;
  /** The app's address, e.g. `http://{ip}:{port}`. */
  urlTemplate: string;
  /** Overrides the port the platform reports for the app container. */
  port?: number | undefined;
  limits: LimitSettings;
}

export interface ImageSettings {
  /** Registry tag candidates, e.g. `{sha}`, separated by commas. */
  tagTemplate: string;
  /** The registry repository's path or name, when it is not the project's own. */
  registryRepository?: string | undefined;
  /** A full image reference (ECR): only the pipeline's success is checked. */
  imageTemplate?: string | undefined;
}

export interface LifetimeSettings {
  /** The soft deadline after a launch or an extension. */
  ttlMs: number;
  /** The hard cap the platform itself enforces. */
  maxLifetimeMs: number;
  /** How long a task may take to run before it is given up and stopped. */
  launchTimeoutMs: number;
}

export interface LimitSettings {
  maxRunning: number;
  maxPerUser: number;
}
