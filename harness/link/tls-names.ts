/**
 * Names for the numbers a TLS handshake puts on the wire: cipher suites and alert descriptions
 * (and the one alert record mailhop sends itself).
 *
 * Cipher suite names follow OpenSSL (`ECDHE-ECDSA-AES256-GCM-SHA384`, `NULL-SHA256`), which is
 * also what Node's `socket.getCipher().name` and smtp-server's `session.tlsOptions.name` report;
 * TLS 1.3 suites carry their IANA names (`TLS_AES_256_GCM_SHA384`), as in OpenSSL.
 */

/** `code name` pairs, code in hex as in the IANA TLS Cipher Suites registry. */
const CIPHER_SUITES = `
1301 TLS_AES_128_GCM_SHA256
1302 TLS_AES_256_GCM_SHA384
1303 TLS_CHACHA20_POLY1305_SHA256
1304 TLS_AES_128_CCM_SHA256
1305 TLS_AES_128_CCM_8_SHA256
C0B4 TLS_SHA256_SHA256
C0B5 TLS_SHA384_SHA384
C02B ECDHE-ECDSA-AES128-GCM-SHA256
C02C ECDHE-ECDSA-AES256-GCM-SHA384
C02F ECDHE-RSA-AES128-GCM-SHA256
C030 ECDHE-RSA-AES256-GCM-SHA384
CCA8 ECDHE-RSA-CHACHA20-POLY1305
CCA9 ECDHE-ECDSA-CHACHA20-POLY1305
CCAA DHE-RSA-CHACHA20-POLY1305
C0AC ECDHE-ECDSA-AES128-CCM
C0AD ECDHE-ECDSA-AES256-CCM
C0AE ECDHE-ECDSA-AES128-CCM8
C0AF ECDHE-ECDSA-AES256-CCM8
C023 ECDHE-ECDSA-AES128-SHA256
C024 ECDHE-ECDSA-AES256-SHA384
C027 ECDHE-RSA-AES128-SHA256
C028 ECDHE-RSA-AES256-SHA384
C009 ECDHE-ECDSA-AES128-SHA
C00A ECDHE-ECDSA-AES256-SHA
C013 ECDHE-RSA-AES128-SHA
C014 ECDHE-RSA-AES256-SHA
C007 ECDHE-ECDSA-RC4-SHA
C011 ECDHE-RSA-RC4-SHA
C008 ECDHE-ECDSA-DES-CBC3-SHA
C012 ECDHE-RSA-DES-CBC3-SHA
009E DHE-RSA-AES128-GCM-SHA256
009F DHE-RSA-AES256-GCM-SHA384
00A2 DHE-DSS-AES128-GCM-SHA256
00A3 DHE-DSS-AES256-GCM-SHA384
C09E DHE-RSA-AES128-CCM
C09F DHE-RSA-AES256-CCM
C0A2 DHE-RSA-AES128-CCM8
C0A3 DHE-RSA-AES256-CCM8
0067 DHE-RSA-AES128-SHA256
006B DHE-RSA-AES256-SHA256
0040 DHE-DSS-AES128-SHA256
006A DHE-DSS-AES256-SHA256
0033 DHE-RSA-AES128-SHA
0039 DHE-RSA-AES256-SHA
0032 DHE-DSS-AES128-SHA
0038 DHE-DSS-AES256-SHA
0016 EDH-RSA-DES-CBC3-SHA
00A6 ADH-AES128-GCM-SHA256
00A7 ADH-AES256-GCM-SHA384
006C ADH-AES128-SHA256
006D ADH-AES256-SHA256
0034 ADH-AES128-SHA
003A ADH-AES256-SHA
C018 AECDH-AES128-SHA
C019 AECDH-AES256-SHA
009C AES128-GCM-SHA256
009D AES256-GCM-SHA384
C09C AES128-CCM
C09D AES256-CCM
C0A0 AES128-CCM8
C0A1 AES256-CCM8
003C AES128-SHA256
003D AES256-SHA256
002F AES128-SHA
0035 AES256-SHA
000A DES-CBC3-SHA
0004 RC4-MD5
0005 RC4-SHA
0003 EXP-RC4-MD5
0008 EXP-DES-CBC-SHA
0000 TLS_NULL_WITH_NULL_NULL
0001 NULL-MD5
0002 NULL-SHA
003B NULL-SHA256
C001 ECDH-ECDSA-NULL-SHA
C006 ECDHE-ECDSA-NULL-SHA
C00B ECDH-RSA-NULL-SHA
C010 ECDHE-RSA-NULL-SHA
C015 AECDH-NULL-SHA
002C PSK-NULL-SHA
002D DHE-PSK-NULL-SHA
002E RSA-PSK-NULL-SHA
00B0 PSK-NULL-SHA256
00B1 PSK-NULL-SHA384
00B4 DHE-PSK-NULL-SHA256
00B5 DHE-PSK-NULL-SHA384
00B8 RSA-PSK-NULL-SHA256
00B9 RSA-PSK-NULL-SHA384
C039 ECDHE-PSK-NULL-SHA
C03A ECDHE-PSK-NULL-SHA256
C03B ECDHE-PSK-NULL-SHA384
`;

const CIPHER_NAMES: ReadonlyMap<number, string> = new Map(
  CIPHER_SUITES.trim()
    .split('\n')
    .map((row) => {
      const [code, name] = row.split(' ');
      return [Number.parseInt(code, 16), name] as const;
    }),
);

/**
 * Suites that authenticate but do not encrypt (eNULL): the IANA `*_WITH_NULL_*` suites and the
 * RFC 9150 integrity-only TLS 1.3 suites. A session on one of these is "TLS" on paper only
 * (docs/behaviour.md#A-enull): it must never count as encrypted (RFC 7435 §3, no misrepresentation).
 */
const NULL_CIPHERS: ReadonlySet<number> = new Set([
  0x0000, 0x0001, 0x0002, 0x002c, 0x002d, 0x002e, 0x003b, 0x00b0, 0x00b1, 0x00b4, 0x00b5, 0x00b8, 0x00b9,
  0xc001, 0xc006, 0xc00b, 0xc010, 0xc015, 0xc039, 0xc03a, 0xc03b, 0xc0b4, 0xc0b5,
]);

/** `0xC02C` style: four upper-case hex digits. */
export function hexCode(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The name of a cipher suite code.
 *
 * @param code the two-byte suite from the ServerHello, e.g. `0xc02c`
 * @returns the OpenSSL-style name (`ECDHE-ECDSA-AES256-GCM-SHA384`, `TLS_AES_256_GCM_SHA384`)
 *   for common suites, else the code as `0xC02C`
 */
export function cipherSuiteName(code: number): string {
  return CIPHER_NAMES.get(code) ?? hexCode(code);
}

/** Whether a cipher suite code carries no encryption (eNULL). */
export function isNullCipher(code: number): boolean {
  return NULL_CIPHERS.has(code);
}

/** Alert descriptions, RFC 8446 §6 (and RFC 5246 §7.2 for the older ones). */
const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/** The name of an alert description, e.g. `40` -> `handshake_failure`; unknown ones as `alert_123`. */
export function alertName(description: number): string {
  return ALERT_NAMES[description] ?? `alert_${description}`;
}

/**
 * A whole alert record, 7 bytes: content type 21 (alert), legacy version 3.3, length 2, level 2
 * (fatal), description 40 (`handshake_failure`). RFC 5246 §6.2.1 and §7.2 frame it; RFC 8446 §5.1
 * keeps that framing for records sent before encryption starts, so it ends a TLS 1.2 or 1.3
 * handshake alike, as a server that refuses every cipher would.
 */
export const HANDSHAKE_FAILURE_ALERT: Buffer = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
