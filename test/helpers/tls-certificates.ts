import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A private CA and certificates made at test time with the openssl CLI (P-256 keys, one day). Nothing is
// checked in; each call writes into a fresh temporary directory.

export interface TestPki {
  dir: string;
  caFile: string;
  ca: Buffer;
  /** Issues `<name>.crt` / `<name>.key` signed by the CA; `server` certificates name 127.0.0.1 and localhost. */
  issue(name: string, use: 'server' | 'client'): { certFile: string; keyFile: string; cert: Buffer; key: Buffer };
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-pki-'));
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Proxy Test CA']);
  let serial = 1;
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    ca: readFileSync(join(dir, 'ca.crt')),
    issue(name, use) {
      const ext = use === 'server'
        ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
        : 'extendedKeyUsage=clientAuth\n';
      writeFileSync(join(dir, `${name}.ext`), ext);
      // Written under temporary names and renamed, so a watcher never reads half a file.
      openssl(dir, ['req', ...EC, '-keyout', `${name}.key.tmp`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
      openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(serial++ * 1000 + Math.floor(Math.random() * 1000)),
        '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt.tmp`]);
      renameSync(join(dir, `${name}.key.tmp`), join(dir, `${name}.key`));
      renameSync(join(dir, `${name}.crt.tmp`), join(dir, `${name}.crt`));
      const certFile = join(dir, `${name}.crt`);
      const keyFile = join(dir, `${name}.key`);
      return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
    },
  };
}
