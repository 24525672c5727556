/**
 * A relay chain, started: the mock MTAs of a scenario on loopback, a link proxy in front of each, the
 * injecting client's queue, the virtual clock and the trace. Plan, then start: the scenario is validated
 * and its plan frozen before anything listens (plan-chain.ts); starting walks the plan (start-chain.ts);
 * the started chain is a RunningChain (running-chain.ts). Chains share no state, so many can run in one
 * process at once.
 */
export { startChain } from './start-chain.js';
export { planChain, HOST_DOMAIN, type ChainPlan, type PlannedHop, type PlannedLink, type PlannedSender, type HopKind, type SenderKind } from './plan-chain.js';
export type { ChainOptions, StartedChain, HopAddresses, MailboxMessage, Dsn, Submission, ExpectedSubmission } from './chain-types.js';
