import type { WatchState } from "./bindings";

/** Whether a watch has ended (Rust's `WatchState::is_final`): nothing more will happen to it. */
export function isFinal(state: WatchState): boolean {
  return state.state === "landed" || state.state === "expired" || state.state === "cancelled" || state.state === "failed";
}
