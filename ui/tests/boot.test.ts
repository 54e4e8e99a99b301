import { describe, expect, it, vi } from "vitest";

import type { IpcError, Startup } from "../src/lib/bindings";
import { startupAnswered, takeStartup } from "../src/lib/boot";
import { startup } from "./fixtures";
import { type Call, mockCommands } from "./ipc";

describe("the first call", () => {
  it("lets the app mount once startup has answered, and hands that answer over without asking again", async () => {
    const calls: Call[] = [];
    let answer: ((value: Startup) => void) | null = null;
    mockCommands({ startup: () => new Promise<Startup>((resolve) => (answer = resolve)) }, calls);

    let settled = false;
    const answered = startupAnswered().then(() => (settled = true));
    await expect.poll(() => answer).not.toBeNull();
    // Rust has not answered: nothing to mount yet.
    expect(settled).toBe(false);

    answer!(startup({ open_first: "acct_1" }));
    await answered;
    const taken = await takeStartup();
    expect(taken.status === "ok" && taken.data.open_first).toBe("acct_1");
    expect(calls.filter(([c]) => c === "startup")).toHaveLength(1);
  });

  it("lets the app mount when startup fails too, so it can say so", async () => {
    mockCommands({
      startup: () => {
        const failure: IpcError = { code: "storage_failed", message: "Topup could not read its list of accounts." };
        throw failure;
      },
    });
    await startupAnswered();
    const taken = await takeStartup();
    expect(taken.status === "error" && taken.error.message).toBe("Topup could not read its list of accounts.");
  });

  it("lets the app mount on its placeholder when startup is slower than its patience", async () => {
    vi.useFakeTimers();
    try {
      mockCommands({ startup: () => new Promise<Startup>(() => {}) });
      let settled = false;
      void startupAnswered(1000).then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      takeStartup();
    } finally {
      vi.useRealTimers();
    }
  });
});
