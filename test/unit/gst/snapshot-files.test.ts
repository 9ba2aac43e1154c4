// The snapshot folder keeps a bounded number of files, on a real directory:
// the oldest go first, names that are not snapshots stay.
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keepNewest, SNAPSHOTS_KEPT } from '../../../src/gst/worker/snapshot';

t.test('only the newest snapshots are kept', async (tt) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-snaps-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const t0 = Date.parse('2026-11-25T08:00:00Z');
  const names: string[] = [];
  for (let i = 0; i < SNAPSHOTS_KEPT + 12; i++) {
    const name = `${(t0 + i * 1000).toString(36)}-${i.toString(16).padStart(8, '0')}.${i % 2 ? 'png' : 'jpg'}`;
    names.push(name);
    writeFileSync(path.join(dir, name), 'x');
  }
  writeFileSync(path.join(dir, 'notes.txt'), 'not a snapshot');
  const deleted = await keepNewest(dir);
  tt.same(deleted, names.slice(0, 12), 'the 12 oldest were deleted');
  const left = readdirSync(dir).sort();
  tt.same(left, [...names.slice(12), 'notes.txt'].sort(), `${SNAPSHOTS_KEPT} snapshots and the other file remain`);
  tt.same(await keepNewest(dir), [], 'at the bound nothing more goes');
});

t.test('a snapshot that does not fit on a full disk leaves no file behind', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readdirSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writeSnapshotFile } = await import('../../../src/gst/worker/snapshot');
  if (process.getuid?.() !== 0) {
    t.comment('skipped: mounting a small tmpfs needs root');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'snapfull-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  t.teardown(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'filler'), Buffer.alloc(60 * 1024));
  await t.rejects(writeSnapshotFile(dir, 'png', Buffer.alloc(32 * 1024, 1)), { code: 'ENOSPC' }, 'the write fails with ENOSPC');
  t.same(readdirSync(dir), ['filler'], 'and no 0-byte or cut snapshot is left');
});
