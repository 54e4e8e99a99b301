import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { HistoryEntry, HistoryQuery } from "../src/lib/bindings";
import History from "../src/screens/History.svelte";
import { PRICING, record } from "./fixtures";
import { type Call, mockCommands } from "./ipc";

const entry = (n: number, overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id: `tx_${n}`,
  at: 1_795_000_000 - n * 60,
  description: `User bought ${n}00.0 credits for $${n}.0.`,
  credits: `${n}00`,
  amount: { currency: "USD", minor: n * 100 },
  incoming: true,
  status: null,
  ...overrides,
});

describe("history", () => {
  it("lists entries newest first, a page at a time, and opens the billing portal through Rust", async () => {
    const calls: Call[] = [];
    mockCommands(
      {
        capabilities: () => PRICING.capabilities,
        open_billing_portal: () => null,
        history: (args) =>
          (args["query"] as HistoryQuery).page === 1
            ? { entries: [entry(5), entry(1, { incoming: false, credits: "-20", amount: null, description: "Agent run" })], page: 1, has_more: true, total: null, pages: null }
            : { entries: [entry(9, { status: "completed" })], page: 2, has_more: false, total: 21, pages: 2 },
      },
      calls,
    );
    render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });

    const rows = await screen.findAllByTestId("history-entry");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("+500 credits");
    expect(rows[0]).toHaveTextContent("$5.00");
    expect(rows[1]).toHaveTextContent("−20 credits");
    expect(screen.getByTestId("history-newer")).toBeDisabled();

    await fireEvent.click(screen.getByTestId("history-older"));
    await expect.poll(() => screen.queryAllByTestId("history-entry").map((r) => r.textContent)).toEqual([expect.stringContaining("Completed")]);
    expect(screen.getByTestId("history-older")).toBeDisabled();
    expect(screen.getByTestId("history-page")).toHaveTextContent("Page 2 of 2");
    expect(screen.getByTestId("history-count")).toHaveTextContent("21 entries");
    // Read from the service when the screen opened; the next page from what was read.
    const queries = calls.filter(([c]) => c === "history").map(([, a]) => a["query"] as HistoryQuery);
    expect(queries.map((q) => [q.page, q.fresh])).toEqual([
      [1, true],
      [2, false],
    ]);

    await fireEvent.click(await screen.findByTestId("billing-portal"));
    await expect.poll(() => calls.map(([c]) => c)).toContain("open_billing_portal");
  });

  it("has an empty state, an error state with a retry, and no portal where the service has none", async () => {
    let fail = true;
    mockCommands({
      capabilities: () => ({ ...PRICING.capabilities, portal: false }),
      history: () => {
        if (fail) throw { code: "network_unreachable", message: "Topup cannot reach the service. Check your internet connection." };
        return { entries: [], page: 1, has_more: false, total: 0, pages: 1 };
      },
    });
    render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });
    expect(await screen.findByRole("alert")).toHaveTextContent("cannot reach the service");
    fail = false;
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("history-empty")).toHaveTextContent("Nothing here yet");
    expect(screen.queryByTestId("billing-portal")).toBeNull();
  });

  it("searches what was read and says when nothing matches", async () => {
    const calls: Call[] = [];
    mockCommands(
      {
        capabilities: () => PRICING.capabilities,
        history: (args) => {
          const q = args["query"] as HistoryQuery;
          if (q.search === "") return { entries: [entry(5), entry(4)], page: 1, has_more: false, total: 2, pages: 1 };
          if (q.search === "500") return { entries: [entry(5)], page: 1, has_more: false, total: 1, pages: 1 };
          return { entries: [], page: 1, has_more: false, total: 0, pages: 1 };
        },
      },
      calls,
    );
    render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });
    expect(await screen.findAllByTestId("history-entry")).toHaveLength(2);

    await fireEvent.input(screen.getByTestId("history-search"), { target: { value: "500" } });
    await expect.poll(() => screen.queryAllByTestId("history-entry").length).toBe(1);
    expect(screen.getByTestId("history-count")).toHaveTextContent("1 match");

    await fireEvent.input(screen.getByTestId("history-search"), { target: { value: "refund" } });
    expect(await screen.findByTestId("history-empty")).toHaveTextContent("Nothing matches");
    const searches = calls.filter(([c]) => c === "history").map(([, a]) => a["query"] as HistoryQuery);
    expect(searches.filter((q) => q.fresh)).toHaveLength(1);
  });

  it("hands an ended session back to the shell", async () => {
    mockCommands({
      capabilities: () => PRICING.capabilities,
      history: () => {
        throw { code: "session_expired", message: "Your session has ended. Sign in again to continue." };
      },
    });
    const onsessionended = vi.fn();
    render(History, { record: record(), onback: vi.fn(), onsessionended });
    await expect.poll(() => onsessionended.mock.calls.length).toBe(1);
  });
    });
