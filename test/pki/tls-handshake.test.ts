/**
 * Hop certificates in real TLS handshakes on loopback: each kind is served by a Node TLS server and judged by
 * a client that trusts the run's CA and expects the hop's name, as a `verify` relay does. What the client
 * reports is what mailhop's verdicts are built on (RFC 8460 §4.3.1 result types), so each kind must fail
 * for its own reason and no other.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { RunPki } from '../../harness/pki/run-pki.js';
import type { CertKind } from '../../harness/scenario/schema.js';

const HOST = 'mx.mailhop.test';
const pki = await RunPki.create();
const servers: tls.Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

interface Handshake {
  authorized: boolean;
  authorizationError: string | null;
  nameError: string | null;
  curve: string | undefined;
  version: string | null;
}

/** One handshake with a server presenting a `kind` certificate for HOST, the client expecting `servername`. */
async function handshake(kind: CertKind, maxVersion: tls.SecureVersion = 'TLSv1.3', servername = HOST): Promise<Handshake> {
  const server = tls.createServer(await pki.issue(HOST, kind), (s) => s.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: [pki.ca.cert], rejectUnauthorized: false, maxVersion });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      const nameError = tls.checkServerIdentity(servername, peer) as NodeJS.ErrnoException | undefined;
      resolve({
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
        nameError: nameError?.code ?? null,
        curve: peer.asn1Curve,
        version: socket.getProtocol(),
      });
      socket.destroy();
    });
  });
}

describe('hop certificates in a TLS handshake', () => {
  it('valid: verified against the run CA and matching the hop name, over TLS 1.3 and TLS 1.2 ECDHE-ECDSA', async () => {
    expect(await handshake('valid')).toEqual({ authorized: true, authorizationError: null, nameError: null, curve: 'prime256v1', version: 'TLSv1.3' });
    expect(await handshake('valid', 'TLSv1.2')).toMatchObject({ authorized: true, nameError: null, version: 'TLSv1.2' });
  });

  const refused: Array<[CertKind, string]> = [
    ['expired', 'CERT_HAS_EXPIRED'],
    ['not-yet-valid', 'CERT_NOT_YET_VALID'],
    ['self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['untrusted-ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ];
  it.each(refused)('%s: the handshake completes, the chain check fails with %s, the name matches', async (kind, code) => {
    expect(await handshake(kind)).toEqual({ authorized: false, authorizationError: code, nameError: null, curve: 'prime256v1', version: 'TLSv1.3' });
  });

  it('wrong-host: refused for the name alone; the chain verifies for the name it does carry', async () => {
    expect(await handshake('wrong-host')).toEqual({
      authorized: false, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID', nameError: 'ERR_TLS_CERT_ALTNAME_INVALID', curve: 'prime256v1', version: 'TLSv1.3',
    });
    expect(await handshake('wrong-host', 'TLSv1.3', 'wrong-host.mailhop.invalid')).toMatchObject({ authorized: true, authorizationError: null, nameError: null });
  });
});
