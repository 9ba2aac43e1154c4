import t from 'tap';
import { resolveSparePolicy, SMALL_BOARD_MIB, usableMemoryBytes } from '../../../src/config/spare-policy';

const MiB = 1024 * 1024;

t.test('auto: no spare while playing on the smallest boards, a spare elsewhere', async (tt) => {
  tt.equal(resolveSparePolicy('auto', 455 * MiB), 'idle', 'a Pi Zero 2 W (512 MB less the GPU)');
  tt.equal(resolveSparePolicy('auto', 906 * MiB), 'playing', 'a Pi 3 (1 GB less the GPU)');
  tt.equal(resolveSparePolicy('auto', 24 * 1024 * MiB), 'playing', 'a desktop');
  tt.equal(resolveSparePolicy('auto', SMALL_BOARD_MIB * MiB - 1), 'idle', 'just below the line');
  tt.equal(resolveSparePolicy('auto', SMALL_BOARD_MIB * MiB), 'playing', 'at the line');
});

t.test('an explicit choice stands whatever the memory', async (tt) => {
  tt.equal(resolveSparePolicy('playing', 455 * MiB), 'playing');
  tt.equal(resolveSparePolicy('idle', 24 * 1024 * MiB), 'idle');
});

t.test("a container's limit counts when it is lower than the machine", async (tt) => {
  tt.equal(usableMemoryBytes(4096 * MiB, 512 * MiB), 512 * MiB, 'a limited container');
  tt.equal(usableMemoryBytes(4096 * MiB, 2 ** 64), 4096 * MiB, 'an unlimited cgroup reports a huge number');
  tt.equal(usableMemoryBytes(4096 * MiB, 0), 4096 * MiB, 'no cgroup');
  tt.equal(usableMemoryBytes(4096 * MiB, undefined), 4096 * MiB, 'a Node without constrainedMemory');
});
