// The engines of a run: `docker.hosts.<arch>` for an architecture that has one, the default engine
// for the rest. Each distinct engine is connected (and health-checked) once per run; one that
// does not answer fails only the tasks routed to it.
import type { ProjectConfig } from '../config/types.js';
import { ARCH_NAMES, type ArchName } from '../runtimes.js';
import { connectEngine, type Engine } from './engine.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';
import { ImageResolver, type ProgressSink } from './images.js';

export interface EnginesOptions {
  /** Where recipe context packages are kept between runs (the cache directory's downloads/). */
  readonly downloads: string;
  /** Runs once per engine, before any task uses it (the sweep of abandoned containers). */
  readonly onConnect?: (engine: Engine) => Promise<void>;
  /** Image pulls, builds and copies, line by line. */
  readonly progress?: ProgressSink;
}

export class Engines {
  private readonly endpoints: Record<ArchName, Endpoint>;
  private readonly defaultEndpoint: Endpoint;
  private readonly connections = new Map<string, Promise<Engine>>();
  private readonly resolvers = new Map<Engine, ImageResolver>();

  constructor(docker: ProjectConfig['docker'], env: Readonly<NodeJS.ProcessEnv>, private readonly options: EnginesOptions) {
    this.defaultEndpoint = resolveEndpoint(docker.host, env);
    this.endpoints = Object.fromEntries(ARCH_NAMES.map((arch) => {
      const own = docker.hosts[arch];
      return [arch, own ? resolveEndpoint(own, env) : this.defaultEndpoint];
    })) as Record<ArchName, Endpoint>;
  }

  /** Whether any architecture has an engine of its own. */
  get routed(): boolean {
    return ARCH_NAMES.some((arch) => this.endpoints[arch] !== this.defaultEndpoint);
  }

  endpoint(arch: ArchName): Endpoint {
    return this.endpoints[arch];
  }

  /** How plans and messages name an architecture's engine. */
  describe(arch: ArchName): string {
    const { address, origin } = this.endpoints[arch];
    return `${address} (${origin})`;
  }

  private connect(endpoint: Endpoint): Promise<Engine> {
    const key = `${endpoint.address}|${endpoint.origin}`;
    let connection = this.connections.get(key);
    if (!connection) {
      connection = connectEngine(endpoint).then(async (engine) => { await this.options.onConnect?.(engine); return engine; });
      // A failure is reported by the tasks that need the engine, not as an unhandled rejection.
      connection.catch(() => {});
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** The engine that builds for `arch` (connected on first use, once). */
  forArch(arch: ArchName): Promise<Engine> {
    return this.connect(this.endpoints[arch]);
  }

  /** The default engine, which may hold images another engine lacks. */
  fallback(): Promise<Engine> {
    return this.connect(this.defaultEndpoint);
  }

  /**
   * Resolves images on the engine of `arch`: one resolver per engine, so tasks share its pulls
   * and builds. With engines per architecture, an engine lacking a local image gets it from the
   * default engine.
   */
  async images(arch: ArchName): Promise<ImageResolver> {
    return this.imagesOn(await this.forArch(arch));
  }

  /** The resolver of one of this run's engines. */
  imagesOn(engine: Engine): ImageResolver {
    let resolver = this.resolvers.get(engine);
    if (!resolver) {
      const donor = this.routed ? () => this.fallback() : undefined;
      resolver = new ImageResolver(engine, { downloads: this.options.downloads, progress: this.options.progress, donor });
      this.resolvers.set(engine, resolver);
    }
    return resolver;
  }

  /** Connects to the engines of these architectures in parallel: each answer, or why it failed. */
  async probe(arches: readonly ArchName[]): Promise<Map<ArchName, Engine | Error>> {
    const answers = await Promise.all(arches.map(async (arch) => [arch, await this.forArch(arch).catch((error: unknown) => error as Error)] as const));
    return new Map(answers);
  }

  /** The engines this run connected to. */
  async connected(): Promise<Engine[]> {
    const settled = await Promise.allSettled(this.connections.values());
    return settled.flatMap((s) => s.status === 'fulfilled' ? [s.value] : []);
  }
}
