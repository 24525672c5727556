/** A private key and its certificate, both PEM: the key PKCS#8 (`BEGIN PRIVATE KEY`, RFC 5958), the certificate X.509 (RFC 5280). */
export interface KeyCert {
  key: string;
  cert: string;
}
