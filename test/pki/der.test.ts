/**
 * The DER encoder hop certificates are written with (harness/pki/der.ts), byte for byte against the
 * encodings X.690 and RFC 5280 fix, and its reader against what the encoder wrote.
 */
import { describe, expect, it } from 'vitest';
import { children, directoryString, oid, sequence, time, tlv, unsignedInteger } from '../../harness/pki/der.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER encoding', () => {
  it('writes lengths in the short form up to 127 bytes and the long form from 128 (X.690 §8.1.3)', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(255))).slice(0, 6)).toBe('0481ff');
    expect(hex(tlv(0x04, Buffer.alloc(256))).slice(0, 8)).toBe('04820100');
    expect(() => tlv(0x04, Buffer.alloc(65_536))).toThrow('DER content of 65536 bytes is longer than a certificate part can be (65,535 bytes)');
  });

  it('writes a non-negative INTEGER in its minimal form (X.690 §8.3.2)', () => {
    expect(hex(unsignedInteger(Buffer.from([2])))).toBe('020102');
    expect(hex(unsignedInteger(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(unsignedInteger(Buffer.from([0x80, 1])))).toBe('0203008001');
    expect(hex(unsignedInteger(Buffer.from([0, 0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0, 0])))).toBe('020100');
  });

  it('writes OBJECT IDENTIFIERs with base-128 arcs (X.690 §8.19)', () => {
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('1.3.6.1.5.5.7.3.1'))).toBe('06082b06010505070301');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050, to the second (RFC 5280 §4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
    expect(time(new Date('1950-01-01T00:00:00Z')).toString('latin1')).toBe('\x17\x0d500101000000Z');
    expect(time(new Date('1949-12-31T23:59:59Z')).toString('latin1')).toBe('\x18\x0f19491231235959Z');
  });

  it('writes a name as PrintableString when it can, as UTF8String otherwise (RFC 5280 §4.1.2.4)', () => {
    expect(hex(directoryString('mx.mailhop.test'))).toBe(`130f${Buffer.from('mx.mailhop.test').toString('hex')}`);
    expect(hex(directoryString('a_b'))).toBe('0c03615f62');
    expect(hex(directoryString('é'))).toBe('0c02c3a9');
  });
});

describe('DER reading', () => {
  it('splits a SEQUENCE into its whole fields, long-form lengths included', () => {
    const long = tlv(0x04, Buffer.alloc(300, 1));
    const fields = [oid('2.5.4.3'), long, sequence(unsignedInteger(Buffer.from([5])))];
    expect(children(sequence(...fields))).toEqual(fields);
    expect(children(sequence())).toEqual([]);
  });

  it('refuses a length that runs past the end', () => {
    const cut = sequence(tlv(0x04, Buffer.alloc(200))).subarray(0, 100);
    expect(() => children(cut)).toThrow('DER at byte 0: runs past the end (100 bytes)');
    expect(() => children(Buffer.from('3002040a', 'hex'))).toThrow('DER at byte 2: runs past the end (4 bytes)');
  });
});
