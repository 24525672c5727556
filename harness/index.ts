/**
 * mailhop's public API: load or build a scenario, start its chain, run it, read the report.
 */
export { MailhopError, ERROR_CODES, skipReasonOf, type MailhopErrorCode, type ErrorCodeEntry, type ErrorContext } from './errors.js';
// The scenario schema: `Scenario` to build or check a scenario in code (`Scenario.parse({...})`), and the types its
// parts and a report's verdicts have. The schemas of the parts stay inside (load or parse a whole scenario).
export { Scenario } from './scenario/schema.js';
export type {
  ScenarioInput,
  Hop,
  MockHop,
  EngineHop,
  ExternalHop,
  EngineInbound,
  EngineOutbound,
  HopKind,
  RealEngineName,
  Inbound,
  InboundStarttls,
  BreakHow,
  CertKind,
  TlsVersion,
  ReceivedFormat,
  Outbound,
  OutboundTls,
  Fallback,
  StarttlsRejected,
  StarttlsTrailingData,
  Preserve,
  ReplyTexts,
  Submit,
  SubmitSpec,
  AppSubmit,
  PresetName,
  EngineName,
  Message,
  MessageInput,
  Expect,
  LinkVerdictName,
  EndToEndName,
  OutcomeName,
} from './scenario/schema.js';
export { parseDuration, formatDuration } from './scenario/duration.js';
export { loadScenarioFile, loadScenarioText, loadScenarios, ScenarioError, type LoadedScenario, type LoadOptions, type ScenarioProblem } from './scenario/load-scenario.js';
export { startChain, HOST_DOMAIN, type StartedChain, type ChainOptions, type MailboxMessage, type Dsn, type HopAddresses, type Submission, type ExpectedSubmission } from './chain/chain.js';
export { runScenarios, type RunScenariosOptions } from './chain/run-scenarios.js';
export type { RuntimeChoice } from './runtime/select-runtime.js';
export { probeEngine, type EngineProbe } from './runtime/engine-probe.js';
export type { ChainRuntime, RuntimeName } from './runtime/runtime.js';
export type { AcceptedMessage } from './mta/hop-server.js';
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
