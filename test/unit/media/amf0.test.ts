// AMF0 against byte layouts written out by hand from the AMF0 specification,
// so the encoder and decoder are not only checked against each other.
import t from 'tap';
import { decodeAmf0, encodeAmf0, type AmfValue } from '../../../src/media/rtmp/amf0';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const cases: Array<{ name: string; value: AmfValue; bytes: string }> = [
  { name: 'number 1', value: 1, bytes: '00 3ff0000000000000' },
  { name: 'number -1000 (play start)', value: -1000, bytes: '00 c08f400000000000' },
  { name: 'boolean true', value: true, bytes: '01 01' },
  { name: 'boolean false', value: false, bytes: '01 00' },
  { name: 'string', value: 'connect', bytes: '02 0007 636f6e6e656374' },
  { name: 'empty string', value: '', bytes: '02 0000' },
  { name: 'null', value: null, bytes: '05' },
  { name: 'undefined', value: undefined, bytes: '06' },
  { name: 'object', value: { app: 'live', fpad: false }, bytes: '03 0003 617070 02 0004 6c697665 0004 66706164 01 00 000009' },
  { name: 'empty object', value: {}, bytes: '03 000009' },
  { name: 'nested object', value: { a: { b: 2 } }, bytes: '03 0001 61 03 0001 62 00 4000000000000000 000009 000009' },
  { name: 'strict array', value: [1, 'x'], bytes: '0a 00000002 00 3ff0000000000000 02 0001 78' },
];

for (const c of cases) {
  t.test(`encode ${c.name}`, async (tt) => {
    tt.equal(encodeAmf0(c.value).toString('hex'), hex(c.bytes).toString('hex'));
  });
  t.test(`decode ${c.name}`, async (tt) => {
    tt.same(decodeAmf0(hex(c.bytes)), [c.value]);
  });
}

t.test('long string (> 65535 bytes) uses the long-string marker both ways', async (tt) => {
  const s = 'x'.repeat(70000);
  const b = encodeAmf0(s);
  tt.equal(b[0], 0x0c);
  tt.equal(b.readUInt32BE(1), 70000);
  tt.same(decodeAmf0(b), [s]);
});

t.test('decodes what servers send but a client never encodes', async (tt) => {
  // ECMA array (onMetaData), with a count that disagrees with the entries.
  tt.same(decodeAmf0(hex('08 00000005 0005 7769647468 00 4084000000000000 000009')), [{ width: 640 }]);
  // Date: ms since epoch plus a 2-byte time zone.
  const d = decodeAmf0(hex('0b 4272d3edfa400000 0000'))[0]; // 2011-01-01T00:00:00Z
  tt.ok(d instanceof Date);
  tt.equal((d as Date).toISOString(), '2011-01-01T00:00:00.000Z');
  // Typed object: class name dropped, properties kept.
  tt.same(decodeAmf0(hex('10 0003 466f6f 0001 61 05 000009')), [{ a: null }]);
});

t.test('a command message body decodes as a value sequence', async (tt) => {
  const body = encodeAmf0('_result', 1, { fmsVer: 'FMS/3,0,1,123' }, { code: 'NetConnection.Connect.Success', level: 'status' });
  tt.same(decodeAmf0(body), ['_result', 1, { fmsVer: 'FMS/3,0,1,123' }, { code: 'NetConnection.Connect.Success', level: 'status' }]);
});

const malformed: Array<{ name: string; bytes: string }> = [
  { name: 'truncated number', bytes: '00 3ff0' },
  { name: 'string longer than the buffer', bytes: '02 0010 6162' },
  { name: 'object without end marker', bytes: '03 0001 61 05' },
  { name: 'unknown marker', bytes: '42' },
];
for (const c of malformed) {
  t.test(`rejects ${c.name}`, async (tt) => {
    tt.throws(() => decodeAmf0(hex(c.bytes)), { name: 'AmfError' });
  });
}
