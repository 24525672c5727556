/**
 * Reads a TLS-RPT report from what a collector receives (RFC 8460 §5): the JSON itself, gzip-compressed JSON
 * (`.json.gz`, §5.1), or a report mail (`.eml`, §5.3) whose `application/tlsrpt+gzip` (or `+json`) part holds it.
 * The format is recognised from the bytes, not the file name. The MIME parser is postal-mime.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import PostalMime from 'postal-mime';
import { MailhopError } from '../errors.js';

/** A report as read, and what it came in. */
export interface ReadReport {
  /** The parsed JSON (not yet checked against the schema). */
  report: unknown;
  /** `json`, `json.gz`, or `mail` (then `filename` is the report part's name, when it had one). */
  format: 'json' | 'json.gz' | 'mail';
  filename?: string;
}

/** Largest file read, bytes: a daily report of a large sender is some MiB. */
const MAX_BYTES = 50 * 1024 * 1024;

const unreadable = (file: string, why: string) => MailhopError.of('EUSAGE', { where: file, what: 'read it as a TLS-RPT report', why });

/**
 * Reads `file`.
 * @throws MailhopError `EUSAGE` when it cannot be read, is not gzip, JSON or a mail with a report part, or its JSON does not parse.
 */
export async function readReportFile(file: string): Promise<ReadReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw unreadable(file, (err as Error).message);
  }
  if (bytes.length > MAX_BYTES) throw unreadable(file, `${bytes.length} bytes, more than the ${MAX_BYTES} read`);
  return readReportBytes(bytes, file);
}

/** As {@link readReportFile}, from bytes; `name` is where they came from (for errors). */
export async function readReportBytes(bytes: Buffer, name: string): Promise<ReadReport> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { report: parseJson(gunzip(bytes, name), name), format: 'json.gz' };
  const text = bytes.toString('utf8').trimStart();
  if (text.startsWith('{')) return { report: parseJson(text, name), format: 'json' };
  const mail = await PostalMime.parse(bytes, { attachmentEncoding: 'arraybuffer' }).catch((err: Error) => {
    throw unreadable(name, `neither JSON, gzip nor a readable mail: ${err.message}`);
  });
  const part = mail.attachments.find((a) => /^application\/tlsrpt\+(gzip|json)$/.test(a.mimeType))
    ?? mail.attachments.find((a) => /\.json(\.gz)?$/i.test(a.filename ?? ''));
  if (!part) throw unreadable(name, `a mail without an application/tlsrpt+gzip or application/tlsrpt+json part (RFC 8460 §5.3); its parts: ${mail.attachments.map((a) => a.mimeType).join(', ') || 'none'}`);
  const content = Buffer.from(part.content as ArrayBuffer);
  const json = content[0] === 0x1f && content[1] === 0x8b ? gunzip(content, name) : content.toString('utf8');
  return { report: parseJson(json, name), format: 'mail', ...(part.filename ? { filename: part.filename } : {}) };
}

function gunzip(bytes: Buffer, name: string): string {
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (err) {
    throw unreadable(name, `gzip data that does not decompress: ${(err as Error).message}`);
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw unreadable(name, `JSON that does not parse: ${(err as Error).message}`);
  }
}
