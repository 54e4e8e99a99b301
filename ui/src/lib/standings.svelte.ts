/**
 * Every account's standing (balance, forecast, low-balance alert) as Rust
 * last reported it: read once, then followed through `standings-changed`,
 * which the background refresh sends after every change. Screens read it;
 * none computes any of it.
 */
import { commands, events, type Standing } from "./bindings";

export const standings = $state<{ all: Standing[] }>({ all: [] });

let following = false;

export async function followStandings(): Promise<void> {
  if (!following) {
    following = true;
    try {
      // Listening before the first read, so no change between the two is missed.
      await events.standingsChanged.listen((e) => (standings.all = e.payload));
    } catch {
      following = false;
    }
  }
  await readStandings();
}

export async function readStandings(): Promise<void> {
  const got = await commands.standings();
  if (got?.status === "ok") standings.all = got.data;
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
