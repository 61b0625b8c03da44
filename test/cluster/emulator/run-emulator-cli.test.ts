import { describe, expect, it, vi } from 'vitest';
import { runEmulatorCli } from '../../../src/cluster/emulator/index.js';

describe('runEmulatorCli', () => {
  it('starts on the given port and prints the URL', async () => {
    const lines: string[] = [];
    const emu = await runEmulatorCli(['--port', '0', '--host', '127.0.0.1'], {
      stdout: (l) => lines.push(l),
    });
    try {
      expect(lines).toEqual([`HiveHub emulator listening on ${emu.url}`]);
      const res = await fetch(`${emu.url}/api/v1/users/x`, {
        headers: { Authorization: 'Bearer nexus-emulator-key', 'X-HiveHub-Service': 'nexus' },
      });
      expect(res.status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  it('defaults to a free port on 127.0.0.1 and prints to stdout', async () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const emu = await runEmulatorCli([]);
      await emu.close();
      expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(writes).toEqual([`HiveHub emulator listening on ${emu.url}\n`]);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects unknown options and bad ports with usage', async () => {
    await expect(runEmulatorCli(['--colour', 'red'])).rejects.toThrow(/usage: nexus hivehub-emulator/);
    await expect(runEmulatorCli(['--port', '70000'])).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(runEmulatorCli(['--port', 'abc'])).rejects.toThrow(/--port/);
  });
});
