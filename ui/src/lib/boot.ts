import { commands } from "./bindings";

type Asked = ReturnType<typeof commands.startup>;

let asked: Asked | null = null;

/**
 * Asks the app for `startup` — all the first screen waits for — as soon as the
 * page's script runs: before the app is mounted and before the other first
 * calls (event listeners, the footer's version), which would otherwise go
 * ahead of it.
 */
export function askStartup(): void {
  asked ??= commands.startup();
}

/** The answer asked for by `askStartup`, or a new ask; each answer is taken once. */
export function takeStartup(): Asked {
  const answer = asked ?? commands.startup();
  asked = null;
  return answer;
}

/**
 * Settles once the `startup` asked for has answered (either way): the app is
 * mounted then, so the page's one thread is free to read the answer the
 * moment it comes and the first screen is rendered in one pass. An answer
 * slower than `patienceMs` (a keychain that does not answer holds it for
 * seconds) settles it then instead, so the app mounts on its "Opening Topup"
 * placeholder and the window, shown at the latest after four seconds, is
 * never blank.
 */
export function startupAnswered(patienceMs: number = Number.POSITIVE_INFINITY): Promise<void> {
  askStartup();
  const answered = (asked ?? Promise.resolve()).then(
    () => undefined,
    () => undefined,
  );
  if (!Number.isFinite(patienceMs)) return answered;
  return Promise.race([answered, new Promise<void>((late) => setTimeout(late, patienceMs))]);
}
