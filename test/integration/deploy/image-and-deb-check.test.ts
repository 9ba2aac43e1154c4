// The balena image and the Debian package, built and checked here for amd64
// by scripts/image-check.sh and scripts/deb-check.sh (Docker, debootstrap,
// systemd as PID 1). A cold run takes longer than the CI budget leaves
// (docs/deploy.md, "Image check"), so it runs only when asked:
// LIVEPLAYER_IMAGE_CHECK=1 (as root, with a Docker engine or docker.io
// installable). Otherwise it skips and says why.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

function reason(): string | null {
  if (process.env.LIVEPLAYER_IMAGE_CHECK !== '1') return 'on demand: set LIVEPLAYER_IMAGE_CHECK=1 (or run npm run image-check -- amd64)';
  if (process.getuid?.() !== 0) return 'needs root (Docker engine, debootstrap)';
  const docker = spawnSync('sh', ['-c', 'command -v dockerd || apt-cache show docker.io >/dev/null 2>&1'], { stdio: 'ignore' });
  if (docker.status !== 0) return 'no Docker engine and docker.io cannot be installed';
  return null;
}

function run(script: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const p = spawn('bash', [resolve(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => p.kill('SIGTERM'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

const why = reason();
t.test('image-check amd64', { skip: why ?? false, timeout: 40 * 60_000 }, async (t) => {
  const r = await run('scripts/image-check.sh', ['amd64'], 39 * 60_000);
  for (const line of r.out.split('\n').filter((l) => /^(PASS|FAIL|INFO) /.test(l))) t.comment(line);
  t.notMatch(r.out, /^FAIL /m, 'no check failed');
  t.match(r.out, /^PASS {2}--demo reaches 2004/m, 'the demo played in the container');
  t.equal(r.code, 0, 'image-check.sh exits 0');
});

t.test('deb-check amd64', { skip: why ?? false, timeout: 30 * 60_000 }, async (t) => {
  const r = await run('scripts/deb-check.sh', ['amd64', '--full'], 29 * 60_000);
  for (const line of r.out.split('\n').filter((l) => /^(PASS|FAIL|INFO) /.test(l))) t.comment(line);
  t.notMatch(r.out, /^FAIL /m, 'no check failed');
  t.match(r.out, /^PASS {2}purge removes/m, 'the full sequence ran to purge');
  t.equal(r.code, 0, 'deb-check.sh exits 0');
});
