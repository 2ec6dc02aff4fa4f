/**
 * Reads a container's argv (entryPoint + command) the way a shell would, to
 * find a built-in end: `sleep N` exits 0 after N seconds, `timeout N ...`
 * exits 124 after N seconds. This is how the stand-in simulates the review
 * app's hard lifetime without any wall clock.
 */
export interface Lifetime {
  seconds: number;
  exitCode: number;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'busybox']);

/**
 * `timeoutExitCode`: what `timeout` exits with when time is up. Coreutils exits 124; upstream
 * BusyBox (Alpine images) does not support coreutils' statuses (rmyorston/busybox-w32 issue
 * 105) and the program's own status on SIGTERM comes back, 143 (UKGovernmentBEIS/
 * inspect_k8s_sandbox issue 15).
 */
export function parseLifetime(
  argv: readonly string[],
  timeoutExitCode = 124,
): Lifetime | undefined {
  let words = [...argv];
  const first = basename(words[0]);
  if (SHELLS.has(first)) {
    const dashC = words.indexOf('-c');
    if (dashC < 0) return undefined;
    const script = words.slice(dashC + 1).join(' ');
    // Only the first command of a script decides; `sleep 60; echo done` still ends after 60s.
    const firstCommand = script.split(/;|&&|\|\||\n/)[0] ?? '';
    words = firstCommand
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^['"]|['"]$/g, ''));
  }
  if (words[0] === 'exec') words = words.slice(1);
  const program = basename(words[0]);
  if (program === 'sleep') {
    const seconds = duration(words[1]);
    return seconds === undefined ? undefined : { seconds, exitCode: 0 };
  }
  if (program === 'timeout') {
    let i = 1;
    while (i < words.length && words[i]?.startsWith('-')) {
      const option = words[i] ?? '';
      i +=
        option === '-s' || option === '-k' || option === '--signal' || option === '--kill-after'
          ? 2
          : 1;
    }
    const seconds = duration(words[i]);
    return seconds === undefined ? undefined : { seconds, exitCode: timeoutExitCode };
  }
  return undefined;
}

function basename(word: string | undefined): string {
  return (word ?? '').split('/').at(-1) ?? '';
}

/** GNU `sleep`/`timeout` durations: a number with an optional s, m, h or d suffix. */
function duration(word: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(word ?? '');
  if (!match) return undefined;
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * factor;
}
