/**
 * Every certificate kind a hop can present, read and checked by OpenSSL itself (`openssl x509 -text`,
 * `openssl verify`, Debian's openssl binary) and by Node's TLS name check. Hop certificates are written
 * from parts (harness/pki/leaf-certificate.ts), so this is what proves they are the certificates their kind
 * claims, flaw and all.
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

const opensslMissing = spawnSync('openssl', ['version']).error ? 'no openssl binary on PATH (apt-get install openssl)' : '';
const dir = mkdtempSync(path.join(tmpdir(), 'mailhop-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pki = await RunPki.create();
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, pki.ca.cert);

function save(name: string, pem: string): string {
  const file = path.join(dir, `${name}.pem`);
  writeFileSync(file, pem);
  return file;
}

/** `openssl verify` against `ca` (the run's CA unless said): its output, and whether it accepted. */
function verify(file: string, extra: string[] = [], ca = caFile): { ok: boolean; out: string } {
  const r = spawnSync('openssl', ['verify', '-CAfile', ca, ...extra, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/** `openssl x509 -text -noout`: the certificate as OpenSSL reads it (throws when it cannot). */
const text = (file: string) => execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });

const HOST = 'relay.mailhop.test';
const KINDS: CertKind[] = ['valid', 'expired', 'not-yet-valid', 'wrong-host', 'self-signed', 'untrusted-ca'];

describe.skipIf(opensslMissing !== '')(`hop certificates, as OpenSSL reads them${opensslMissing ? ` (skipped: ${opensslMissing})` : ''}`, () => {
  it('valid: a P-256 server certificate for the hop name, signed by the run CA, that OpenSSL verifies', async () => {
    const kc = await pki.issue(HOST, 'valid');
    const file = save('valid', kc.cert);
    const out = text(file);
    expect(out).toContain('ASN1 OID: prime256v1');
    expect(out).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(out).toMatch(/Issuer: CN ?= ?mailhop run CA\n/);
    expect(out).toMatch(/Subject: CN ?= ?relay\.mailhop\.test\n/);
    expect(out).toContain('DNS:relay.mailhop.test');
    expect(out).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Server Authentication/);
    expect(out).toMatch(/X509v3 Basic Constraints:\s*\n\s*CA:FALSE/);
    // An EC key only signs (RFC 5480 §3); who signed it and which key it holds (RFC 5280 §4.2.1.1-2).
    expect(out).toMatch(/X509v3 Key Usage:\s*\n\s*Digital Signature\n/);
    expect(out).toContain('X509v3 Subject Key Identifier');
    expect(out).toContain('X509v3 Authority Key Identifier');
    // A `mailhop up` left running for days keeps valid certificates.
    expect(new Date(new X509Certificate(kc.cert).validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(verify(file)).toEqual({ ok: true, out: `${file}: OK\n` });
    expect(verify(file, ['-verify_hostname', HOST, '-purpose', 'sslserver'])).toEqual({ ok: true, out: `${file}: OK\n` });
    // The key belongs to the certificate.
    expect(new X509Certificate(kc.cert).checkPrivateKey(createPrivateKey(kc.key))).toBe(true);
    expect(tls.checkServerIdentity(HOST, { subject: { CN: HOST }, subjectaltname: new X509Certificate(kc.cert).subjectAltName } as tls.PeerCertificate)).toBeUndefined();
  });

  it.each(KINDS)('%s: OpenSSL reads the certificate and its PKCS#8 key, which belong together', async (kind) => {
    const kc = await pki.issue(HOST, kind);
    const out = text(save(`read-${kind}`, kc.cert));
    expect(out).toContain('Version: 3 (0x2)');
    expect(out).toContain('NIST CURVE: P-256');
    const key = execFileSync('openssl', ['pkey', '-in', save(`key-${kind}`, kc.key), '-noout', '-text'], { encoding: 'utf8' });
    expect(key).toContain('ASN1 OID: prime256v1');
    expect(new X509Certificate(kc.cert).checkPrivateKey(createPrivateKey(kc.key))).toBe(true);
  });

  const flawed: Array<[CertKind, RegExp]> = [
    ['expired', /error 10 at 0 depth lookup: certificate has expired/],
    ['not-yet-valid', /error 9 at 0 depth lookup: certificate is not yet valid/],
    ['self-signed', /error 18 at 0 depth lookup: self[- ]signed certificate/],
    ['untrusted-ca', /error 20 at 0 depth lookup: unable to get local issuer certificate/],
  ];
  it.each(flawed)('%s: OpenSSL refuses it for that reason', async (kind, why) => {
    const kc = await pki.issue(HOST, kind);
    const result = verify(save(kind, kc.cert));
    expect(result.ok).toBe(false);
    expect(result.out).toMatch(why);
  });

  it('self-signed: issued by itself, with no authority key identifier', async () => {
    const out = text(save('self', (await pki.issue(HOST, 'self-signed')).cert));
    expect(out).toMatch(/Issuer: CN ?= ?relay\.mailhop\.test\n/);
    expect(out).not.toContain('X509v3 Authority Key Identifier');
  });

  it('untrusted-ca (and the interceptor\'s certificate): a real chain, but to the foreign CA the run does not trust', async () => {
    const foreignFile = save('foreign-ca', (await pki.foreignCa()).cert);
    const file = save('attacker', (await pki.issue(HOST, 'untrusted-ca')).cert);
    expect(text(file)).toMatch(/Issuer: CN ?= ?mailhop foreign CA\n/);
    expect(verify(file, ['-verify_hostname', HOST], foreignFile)).toEqual({ ok: true, out: `${file}: OK\n` });
    expect(verify(file).ok).toBe(false);
  });

  it('wrong-host: verifies as a chain, but names another host, so the name check fails', async () => {
    const kc = await pki.issue(HOST, 'wrong-host');
    const file = save('wrong-host', kc.cert);
    expect(verify(file).ok).toBe(true);
    const named = verify(file, ['-verify_hostname', HOST]);
    expect(named.ok).toBe(false);
    expect(named.out).toMatch(/error 62 at 0 depth lookup: hostname mismatch/);
    const cert = new X509Certificate(kc.cert);
    expect(cert.subjectAltName).toBe('DNS:wrong-host.mailhop.invalid');
    const err = tls.checkServerIdentity(HOST, { subject: { CN: 'wrong-host.mailhop.invalid' }, subjectaltname: cert.subjectAltName } as tls.PeerCertificate);
    expect((err as NodeJS.ErrnoException | undefined)?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a long hop name (parts over 127 bytes, long-form DER lengths) gives a certificate OpenSSL verifies for that name', async () => {
    const long = `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.mailhop.test`;
    const file = save('long', (await pki.issue(long, 'valid')).cert);
    expect(text(file)).toContain(`DNS:${long}`);
    expect(verify(file, ['-verify_hostname', long])).toEqual({ ok: true, out: `${file}: OK\n` });
  });
});

describe('hop certificates', () => {
  it('gives every certificate a key and serial of its own', async () => {
    const a = new X509Certificate((await pki.issue(HOST, 'valid')).cert);
    const b = new X509Certificate((await pki.issue(HOST, 'valid')).cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ format: 'der', type: 'spki' }).equals(b.publicKey.export({ format: 'der', type: 'spki' }))).toBe(false);
  });

  it('refuses a hostname a DNS name cannot hold, naming it', async () => {
    await expect(pki.issue('mx.mailhöp.test', 'valid')).rejects.toMatchObject({
      code: 'EUSAGE',
      message: 'certificate for "mx.mailhöp.test": cannot issue it: a DNS name in a certificate is printable ASCII (RFC 5280 §4.2.1.6).',
    });
  });
});
