/**
 * mailhop's public API: load or build a scenario, start its chain, run it, read the report.
 */
export { MailhopError, type MailhopErrorCode } from './errors.js';
export * from './scenario/schema.js';
export { parseDuration, formatDuration } from './scenario/duration.js';
export { loadScenarioFile, loadScenarioText, loadScenarios, ScenarioError, type LoadedScenario, type LoadOptions, type ScenarioProblem } from './scenario/load-scenario.js';
export { startChain, HOST_DOMAIN, type StartedChain, type ChainOptions, type MailboxMessage, type Dsn, type HopAddresses } from './chain/chain.js';
export { runScenarios } from './chain/run-scenarios.js';
export type { ScenarioReport, LinkReport, MessageReport, Expectation } from './verdict/judge-scenario.js';
export type { MessageLinkVerdict, Witnesses } from './verdict/link-verdict.js';
export type * from './trace/events.js';
export type { WireRecord } from './link/wire-record.js';
export { renderScenario, renderSummary } from './report/text-report.js';
export { renderJson } from './report/json-report.js';
export { DEFAULT_HOP_LIMITS, type HopLimits } from './mta/hop-limits.js';
export { startWebView } from './web/lazy-web-view.js';
export type { StartedWebView, WebViewOptions } from './web/web-view.js';
export type { MessageSummary, MessageLinkView, MessageStatus } from './web/message-view.js';
export type { MessageDetail, MessageLinkDetail, ConnectionView } from './web/message-detail.js';
export type { ChainView, HopView, LinkView } from './web/link-view.js';
