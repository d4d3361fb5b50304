// The library entry: config helpers for TS/JS config files, and the building blocks of the CLI.
export { defineConfig } from './config/schema.js';
export type { RawConfig as Config, RawFunction as FunctionConfig, RawLayer as LayerConfig } from './config/schema.js';
export { loadConfig } from './config/load.js';
export { plan } from './plan/plan.js';
export { RUNTIMES, ARCHITECTURES } from './runtimes.js';
export { loadProject } from './template/project.js';
export type { Project, LoadedTemplate } from './template/project.js';
export { writeBuiltTemplate, writePackagedTemplate } from './template/output.js';
export { packageArtifacts } from './publish/package.js';
