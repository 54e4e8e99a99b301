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
 * moment it comes and the first screen is rendered in one pass.
 */
export function startupAnswered(): Promise<void> {
  askStartup();
  return (asked ?? Promise.resolve()).then(
    () => undefined,
    () => undefined,
  );
}
