export { nogiSandboxPlugin } from './nogi-sandbox.plugin';
export { startNogiSandbox, type StartedNogiSandbox } from './nogi-sandbox.server';
export { NogiSandbox, type NogiSandboxClient, type NogiSandboxOptions, type ConsentView, type CreateConsentInput, type CallLogEntry, type IdTokenFault } from './nogi-sandbox.state';
export { type FaultSpec, type FaultKind, type ActiveFault } from '../../../sandbox/fault-injector';
export { SYNTHETIC_NATIONAL_IDS } from './synthetic-persons';
