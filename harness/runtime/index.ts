export type { Address, ChainRuntime, HopHooks, HopPlan, LinkProxyHooks, LinkProxyPlan, RuntimeName, StartedUnit } from './runtime.js';
export { inProcessRuntime } from './in-process-runtime.js';
export { selectRuntime, runtimeName, RUNTIME_NAMES, type RuntimeChoice } from './select-runtime.js';
export { probeEngine, dockerHost, type EngineProbe } from './engine-probe.js';
export { containerRuntime, type ContainerRuntimeOptions } from './container-runtime.js';
