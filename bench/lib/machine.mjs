// What the numbers were measured on. The load average matters: this box is shared, and anything else
// running during the bench takes CPU from the servers under test.
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuModel() {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

export function describeMachine() {
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    autocannon: packageVersion('autocannon'),
    portkeyGateway: packageVersion('@portkey-ai/gateway'),
  };
}

export function formatMachine(machine) {
  return `Machine: ${machine.nproc} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; autocannon ${machine.autocannon}; load average at start ${machine.loadAverageAtStart.join(' / ')}`;
}
