// A typed stand-in for the Rust side of the UI tests: one handler per command,
// keyed by the command's name and typed by the generated bindings, so a
// fixture that no longer matches what Rust returns fails the type check.
import { mockIPC } from "@tauri-apps/api/mocks";

import type { commands } from "../src/lib/bindings";

type Commands = typeof commands;

/** `purchaseState` → `purchase_state`: the name a command crosses IPC with. */
type Snake<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}` : "";

/** What a command's Rust side returns: the data of a typed result (its error is thrown). */
type Data<R> = [R] extends [{ status: "ok"; data: infer D } | { status: "error"; error: unknown }] ? D : R;

export type Returns<K extends keyof Commands> = Data<Awaited<ReturnType<Commands[K]>>>;

/** The arguments as they cross IPC (camelCase keys, as the bindings send them). */
export type Args = Record<string, unknown>;

export type Handlers = {
  [K in keyof Commands as Snake<K & string>]?: (args: Args) => Returns<K> | Promise<Returns<K>>;
};

/** Commands a screen called that its test gave no handler; `tests/setup.ts` fails the test on any. */
const unexpected: string[] = [];

/** The unexpected commands since the last call, cleared. */
export function takeUnexpected(): string[] {
  return unexpected.splice(0);
}

/** The events the page listens for, in the order it started to. */
const listened: string[] = [];

/** The events the page listens for since the last `mockCommands` (an event emitted before is lost, as in the app). */
export function listenedTo(): string[] {
  return [...listened];
}

/** A command the screen called, with its arguments (for tests that check calls). */
export type Call = [command: string, args: Args];

/**
 * Answers each command with its handler (and records it in `calls`, given); a command without one fails the
 * test, so every call a screen makes is one the test meant. Throw an
 * `IpcError` (`{ code, message }`) from a handler to answer with Rust's error.
 * Events are mocked too: `emit` from a test reaches the screen's listeners.
 */
export function mockCommands(handlers: Handlers, calls?: Call[]): void {
  const table = handlers as Record<string, ((args: Args) => unknown) | undefined>;
  listened.splice(0);
  mockIPC(
    (cmd, args) => {
      // Events are the plugin's, not commands a test answers or counts.
      if (!cmd.startsWith("plugin:")) calls?.push([cmd, (args ?? {}) as Args]);
      const handler = table[cmd];
      if (handler === undefined) {
        // The screen may catch the error; the test still fails (tests/setup.ts).
        unexpected.push(cmd);
        throw new Error(`unexpected command ${cmd}`);
      }
      return handler((args ?? {}) as Args);
    },
    { shouldMockEvents: true },
  );
  // The mock answers `listen` itself, without the handler above: note each
  // event on the way in.
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: Invoke } }).__TAURI_INTERNALS__;
  const answer = internals.invoke;
  internals.invoke = (cmd, args, options) => {
    if (cmd === "plugin:event|listen") listened.push(String((args as { event?: unknown } | undefined)?.event));
    return answer(cmd, args, options);
  };
}

type Invoke = (cmd: string, args?: unknown, options?: unknown) => Promise<unknown>;
