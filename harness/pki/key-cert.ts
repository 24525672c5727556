/**
 * A private key and its certificate, both PEM, the certificate X.509 (RFC 5280). A hop's key is SEC 1
 * (`BEGIN EC PRIVATE KEY`, RFC 5915): OpenSSL 3 reads it into a TLS context in about half the time of PKCS#8,
 * which decides how fast a long chain starts; the run's CA key (selfsigned) is PKCS#8 (`BEGIN PRIVATE KEY`, RFC 5958).
 */
export interface KeyCert {
  key: string;
  cert: string;
}
