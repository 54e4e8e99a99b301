import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";

import type { Standing } from "../src/lib/bindings";
import { followStandings, standingOf } from "../src/lib/standings.svelte";
import { standing } from "./fixtures";
import { mockCommands } from "./ipc";

describe("standings", () => {
  it("keep an event that arrives while a read is being answered, not the older answer", async () => {
    let answer: ((s: Standing[]) => void) | null = null;
    mockCommands({ standings: () => new Promise<Standing[]>((r) => (answer = r)) });
    const following = followStandings();
    await expect.poll(() => answer).not.toBeNull();
    // The background refresh found the balance low meanwhile.
    await emit("standings-changed", [standing()]);
    answer!([standing({ low: false, balance: "1000" })]);
    await following;
    expect(standingOf("acct_1")?.low).toBe(true);
    expect(standingOf("acct_1")?.balance).toBe("900");
  });
});
