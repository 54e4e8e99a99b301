/**
 * Every account's standing (balance, forecast, low-balance alert) as Rust
 * last reported it: followed through `standings-changed` (the app shell
 * listens once; the background refresh sends it after every change) and read
 * again when a screen opens. Screens show it; none computes any of it.
 */
import { commands, events, type Standing } from "./bindings";

export const standings = $state<{ all: Standing[] }>({ all: [] });

let following = false;
/** Counts the events heard: a read that started before the last one is older than it. */
let heard = 0;

/** For the app shell, once: listens, then reads (so no change between the two is missed). */
export async function followStandings(): Promise<void> {
  if (!following) {
    following = true;
    try {
      await events.standingsChanged.listen((e) => {
        heard += 1;
        standings.all = e.payload;
      });
    } catch {
      following = false;
    }
  }
  await readStandings();
}

export async function readStandings(): Promise<void> {
  const before = heard;
  const got = await commands.standings();
  // An event that came while Rust was answering is newer than the answer.
  if (got?.status === "ok" && heard === before) standings.all = got.data;
}

export function standingOf(accountId: string): Standing | null {
  return standings.all.find((s) => s.account_id === accountId) ?? null;
}

/** Puts one account's new standing in place (after its alert was set). */
export function keepStanding(next: Standing): void {
  const i = standings.all.findIndex((s) => s.account_id === next.account_id);
  if (i >= 0) standings.all[i] = next;
  else standings.all.push(next);
}
