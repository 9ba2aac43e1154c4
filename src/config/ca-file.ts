// --ca-file: extra CA certificates (a school's own CA) for rtmps and https,
// read and checked once at start, so a wrong path or file is a clear exit 2
// instead of every stream failing later.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates in the file, each as PEM text; a problem line when the file is unreadable or holds none. */
export function readCaFile(file: string, name: string): { ok: true; certs: string[] } | { ok: false; problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problem: `${name} ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const certs = text.match(PEM) ?? [];
  if (certs.length === 0) return { ok: false, problem: `${name} ${file}: not a PEM file of CA certificates (no BEGIN CERTIFICATE block)` };
  for (const [i, pem] of certs.entries()) {
    try {
      new X509Certificate(pem);
    } catch {
      return { ok: false, problem: `${name} ${file}: certificate ${i + 1} is not a valid X.509 certificate` };
    }
  }
  return { ok: true, certs };
}
