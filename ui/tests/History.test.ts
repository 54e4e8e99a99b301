import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { HistoryEntry } from "../src/lib/bindings";
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
          args["page"] === 1
            ? { entries: [entry(5), entry(1, { incoming: false, credits: "-20", amount: null, description: "Agent run" })], page: 1, has_more: true }
            : { entries: [entry(9, { status: "completed" })], page: 2, has_more: false },
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
    expect(screen.getByText("Page 2")).toBeVisible();

    await fireEvent.click(await screen.findByTestId("billing-portal"));
    await expect.poll(() => calls.map(([c]) => c)).toContain("open_billing_portal");
  });

  it("has an empty state, an error state with a retry, and no portal where the service has none", async () => {
    let fail = true;
    mockCommands({
      capabilities: () => ({ ...PRICING.capabilities, portal: false }),
      history: () => {
        if (fail) throw { code: "network_unreachable", message: "Topup cannot reach the service. Check your internet connection." };
        return { entries: [], page: 1, has_more: false };
      },
    });
    render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });
    expect(await screen.findByRole("alert")).toHaveTextContent("cannot reach the service");
    fail = false;
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("history-empty")).toHaveTextContent("Nothing here yet");
    expect(screen.queryByTestId("billing-portal")).toBeNull();
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
