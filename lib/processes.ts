// Whether a process still runs, for what a killed process left behind (a postmaster.pid, a
// partial archive): signal 0 tests without signalling; EPERM means it runs as another user.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
