/** The link: the proxy on every hop-to-hop connection, its wire witness, and the seam for faults. */
export { LinkProxy, type LinkProxyOptions, type StartedLinkProxy } from './link-proxy.js';
export type { LineVerdict, LinkFault, LinkFaultContext, LinkFaultIo, LinkFaultSession, ReplyInfo, TlsChunkInfo, TlsVerdict } from './link-fault.js';
export { WireWitness, type WireWitnessOptions } from './wire-witness.js';
export type {
  HandshakeState,
  SmtpCommand,
  SmtpReply,
  TranscriptEntry,
  WireAlert,
  WireDirection,
  WireError,
  FaultEffect,
  WireFaultEvent,
  WireRecord,
  WireTls,
} from './wire-record.js';
export { TlsRecordParser, looksLikeClientHello, parseServerHello, type ServerHello, type TlsAlert, type TlsVersion, type TlsWireEvent } from './tls-hello.js';
export { alertName, cipherSuiteName, isNullCipher } from './tls-names.js';
