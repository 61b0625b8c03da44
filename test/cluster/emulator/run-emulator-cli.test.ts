import { describe, expect, it } from 'vitest';
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

  it('rejects unknown options and bad ports with usage', async () => {
    await expect(runEmulatorCli(['--colour', 'red'])).rejects.toThrow(/usage: nexus hivehub-emulator/);
    await expect(runEmulatorCli(['--port', '70000'])).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(runEmulatorCli(['--port', 'abc'])).rejects.toThrow(/--port/);
  });
});
