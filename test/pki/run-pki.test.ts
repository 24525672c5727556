/**
 * Every certificate kind a hop can present, checked by OpenSSL itself (`openssl x509`, `openssl verify`)
 * and by Node's TLS name check: hop certificates are issued with @peculiar/x509 directly (run-pki.ts), so
 * this is what proves they are the certificates their kind claims, flaw and all.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { RunPki, type KeyCert } from '../../harness/pki/run-pki.js';
import type { CertKind } from '../../harness/scenario/schema.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mailhop-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pki = await RunPki.create();
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, pki.ca.cert);

function save(name: string, kc: KeyCert): string {
  const file = path.join(dir, `${name}.pem`);
  writeFileSync(file, kc.cert);
  return file;
}

/** `openssl verify` against the run's CA: its output, and whether it accepted. */
function verify(file: string): { ok: boolean; out: string } {
  const r = spawnSync('openssl', ['verify', '-CAfile', caFile, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const HOST = 'relay.mailhop.test';

describe('hop certificates, as OpenSSL reads them', () => {
  it('valid: a P-256 server certificate for the hop name, signed by the run CA, that OpenSSL verifies', async () => {
    const kc = await pki.issue(HOST, 'valid');
    const file = save('valid', kc);
    const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(/Subject: CN ?= ?relay\.mailhop\.test/);
    expect(text).toContain('DNS:relay.mailhop.test');
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Server Authentication/);
    expect(text).toMatch(/X509v3 Basic Constraints:\s*\n\s*CA:FALSE/);
    // An EC key only signs (RFC 5480 §3); who signed it and which key it holds (RFC 5280 §4.2.1.1-2).
    expect(text).toMatch(/X509v3 Key Usage:\s*\n\s*Digital Signature\n/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    // A `mailhop up` left running for days keeps valid certificates.
    expect(new Date(new X509Certificate(kc.cert).validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(verify(file)).toEqual({ ok: true, out: `${file}: OK\n` });
    // The key belongs to the certificate.
    expect(new X509Certificate(kc.cert).checkPrivateKey(createPrivateKey(kc.key))).toBe(true);
    expect(tls.checkServerIdentity(HOST, { subject: { CN: HOST }, subjectaltname: new X509Certificate(kc.cert).subjectAltName } as tls.PeerCertificate)).toBeUndefined();
  });

  const flawed: Array<[CertKind, RegExp]> = [
    ['expired', /error 10 at 0 depth lookup: certificate has expired/],
    ['not-yet-valid', /error 9 at 0 depth lookup: certificate is not yet valid/],
    ['self-signed', /error 18 at 0 depth lookup: self[- ]signed certificate/],
    ['untrusted-ca', /error 20 at 0 depth lookup: unable to get local issuer certificate/],
  ];
  it.each(flawed)('%s: OpenSSL refuses it for that reason', async (kind, why) => {
    const kc = await pki.issue(HOST, kind);
    const result = verify(save(kind, kc));
    expect(result.ok).toBe(false);
    expect(result.out).toMatch(why);
    expect(new X509Certificate(kc.cert).checkPrivateKey(createPrivateKey(kc.key))).toBe(true);
  });

  it('wrong-host: verifies as a chain, but names another host, so the name check fails', async () => {
    const kc = await pki.issue(HOST, 'wrong-host');
    expect(verify(save('wrong-host', kc)).ok).toBe(true);
    const cert = new X509Certificate(kc.cert);
    expect(cert.subjectAltName).toBe('DNS:wrong-host.mailhop.invalid');
    const err = tls.checkServerIdentity(HOST, { subject: { CN: 'wrong-host.mailhop.invalid' }, subjectaltname: cert.subjectAltName } as tls.PeerCertificate);
    expect((err as NodeJS.ErrnoException | undefined)?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('gives every certificate a key and serial of its own', async () => {
    const a = new X509Certificate((await pki.issue(HOST, 'valid')).cert);
    const b = new X509Certificate((await pki.issue(HOST, 'valid')).cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ format: 'der', type: 'spki' }).equals(b.publicKey.export({ format: 'der', type: 'spki' }))).toBe(false);
  });
});
