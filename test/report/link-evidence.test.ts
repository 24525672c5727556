import { describe, expect, it } from 'vitest';
import { certificateWords } from '../../harness/report/link-evidence.js';
import type { SessionEvent } from '../../harness/trace/events.js';

const session = (policy: SessionEvent['policy'], tls: SessionEvent['tls']) => ({ policy, tls }) as SessionEvent;
const TLS = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', nullCipher: false };

// RFC 7435 §3: only a policy that would have refused a bad certificate authenticates the link.
describe('what a certificate check meant', () => {
  it('says "verified" only where the policy enforced it, "valid (not enforced)" elsewhere', () => {
    expect(certificateWords(session('verify', { ...TLS, verified: true }))).toBe(', certificate verified (enforced)');
    expect(certificateWords(session('opportunistic', { ...TLS, verified: true }))).toBe(', certificate valid (not enforced)');
    expect(certificateWords(session('mandatory', { ...TLS, verified: false, verifyError: 'CERT_HAS_EXPIRED' }))).toBe(', certificate not valid (CERT_HAS_EXPIRED), not enforced');
    expect(certificateWords(session('opportunistic', null))).toBe('');
  });
});
