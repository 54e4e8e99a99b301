import { emit } from "@tauri-apps/api/event";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import { draftAmount, keepDraftAmount } from "../src/lib/drafts";
import Purchase from "../src/screens/Purchase.svelte";
import { PENDING, progress, record } from "./fixtures";
import { type Call, type Handlers, mockCommands } from "./ipc";

function mount(overrides: Handlers = {}) {
  const recorded: Call[] = [];
  mockCommands(
    {
      purchase_state: () => ({ purchase: PENDING, last: null }),
      reopen_checkout: () => null,
      copy_checkout_link: () => null,
      check_now: () => null,
      keep_checking: () => null,
      cancel_purchase: () => null,
      dismiss_purchase: () => undefined,
      ...overrides,
    },
    recorded,
  );
  const ondone = vi.fn();
  const onsignin = vi.fn();
  const onhistory = vi.fn();
  render(Purchase, { record: record(), view: { purchase: PENDING, last: null }, ondone, onsignin, onhistory });
  /** The commands the screen called, in order. */
  const called = () => recorded.map(([command]) => command);
  return { ondone, onsignin, onhistory, called };
}

describe("purchase screen", () => {
  it("waits, shows connection trouble while it lasts, then the credits and the receipt", async () => {
    const shown: unknown[] = [];
    keepDraftAmount(record().id, "5");
    const { ondone, called } = mount({ balance_shown: (args) => void shown.push(args) });
    expect(await screen.findByRole("heading", { name: "Waiting for your payment" })).toBeVisible();
    expect(screen.getByText(/500 credits/)).toBeVisible();
    await expect.poll(() => called()).toContain("purchase_state");

    await emit("purchase-progress", progress({ state: "waiting" }));
    await expect.poll(() => screen.getByTestId("watch-status").textContent).toMatch(/Checking again in \d s/);
    expect(screen.getByTestId("watch-status")).toHaveTextContent("3 checks");

    await emit("purchase-progress", progress({ state: "trouble", code: "network_unreachable", message: "Topup cannot reach the service." }));
    expect(await screen.findByTestId("trouble")).toHaveTextContent("Connection trouble, retrying… Topup cannot reach the service.");
    expect(draftAmount(record().id)).toBe("5");

    await emit(
      "purchase-progress",
      progress(
        { state: "landed", status: { state: "landed", credits: "500", balance: "1500", receipt: null } },
        { receipt: { credits: "500", amount: { currency: "USD", minor: 500 }, balance: "1500", at: 1_795_000_000, line: null } },
      ),
    );
    expect(await screen.findByRole("heading", { name: "Credits added" })).toHaveFocus();
    expect(screen.getByTestId("landed-credits")).toHaveTextContent("+500 credits");
    expect(screen.getByTestId("landed-balance")).toHaveTextContent("1,500 credits");
    expect(screen.getByTestId("receipt")).toHaveTextContent(/500 credits for \$5\.00 · .*2026/);
    // Bought: home will not offer the same Buy again.
    expect(draftAmount(record().id)).toBe("");
    // Once painted, the new balance is reported to the app (what the benchmarks time).
    await expect.poll(() => shown).toEqual([{ accountId: record().id, balance: "1500", on: "landed" }]);

    await fireEvent.click(screen.getByTestId("done"));
    await expect.poll(() => ondone.mock.calls.length).toBe(1);
    expect(called()).toContain("dismiss_purchase");
  });

  it("ignores reports about another purchase", async () => {
    mount();
    await screen.findByRole("heading", { name: "Waiting for your payment" });
    await emit("purchase-progress", progress({ state: "expired" }, { purchase: { ...PENDING, checkout_url: "https://checkout.stripe.com/c/pay/cs_other" } }));
    await emit("purchase-progress", progress({ state: "expired" }, { account_id: "acct_2" }));
    // Events arrive in order: once this one shows, the two above were seen and dropped.
    await emit("purchase-progress", progress({ state: "waiting" }, { progress: { ...progress({ state: "waiting" }).progress, attempts: 7 } }));
    await expect.poll(() => screen.getByTestId("watch-status").textContent).toContain("7 checks");
    expect(screen.getByRole("heading", { name: "Waiting for your payment" })).toBeVisible();
  });

  it("keeps waiting when the person changes their mind in the cancel dialog", async () => {
    const { ondone, called } = mount();
    await screen.findByRole("heading", { name: "Waiting for your payment" });
    await fireEvent.click(screen.getByTestId("cancel-purchase"));
    await screen.findByRole("dialog");
    await fireEvent.click(screen.getByTestId("dialog-cancel"));
    await expect.poll(() => screen.queryByRole("dialog")).toBeNull();
    expect(called()).not.toContain("cancel_purchase");
    expect(ondone).not.toHaveBeenCalled();
    expect(screen.getByRole("heading", { name: "Waiting for your payment" })).toBeVisible();
  });

  it("reopens, copies, checks now and cancels through Rust", async () => {
    const { ondone, called } = mount();
    await screen.findByRole("heading", { name: "Waiting for your payment" });
    await fireEvent.click(screen.getByTestId("reopen"));
    await fireEvent.click(screen.getByTestId("copy-link"));
    expect(await screen.findByText("Link copied")).toBeVisible();
    await fireEvent.click(screen.getByTestId("check-now"));
    expect(screen.getByTestId("check-now")).toBeDisabled();
    await fireEvent.click(screen.getByTestId("cancel-purchase"));
    // Nothing is forgotten until the person confirms in the dialog.
    const dialog = await screen.findByRole("dialog", { name: "Stop waiting for this purchase?" });
    expect(called()).not.toContain("cancel_purchase");
    expect(screen.getByTestId("dialog-cancel")).toHaveFocus();
    await fireEvent.click(screen.getByTestId("dialog-confirm"));
    await expect.poll(() => ondone.mock.calls.length).toBe(1);
    expect(dialog).not.toHaveAttribute("open");
    expect(ondone.mock.calls[0]![0]).toMatch(/Purchase cancelled/);
    expect(called()).toEqual(expect.arrayContaining(["reopen_checkout", "copy_checkout_link", "check_now", "cancel_purchase", "dismiss_purchase"]));
  });

  it("says why a page was not opened", async () => {
    mount({
      reopen_checkout: () => {
        throw { code: "checkout_url_refused", message: "Topup did not open “http://evil.example/”: it is not a secure (https) address." };
      },
    });
    await screen.findByRole("heading", { name: "Waiting for your payment" });
    await fireEvent.click(screen.getByTestId("reopen"));
    expect(await screen.findByTestId("purchase-error")).toHaveTextContent("not a secure (https) address");
  });

  it("asks to sign in again when the session ended, and offers to keep checking after giving up", async () => {
    const { onsignin, called } = mount();
    await screen.findByRole("heading", { name: "Waiting for your payment" });
    await emit("purchase-progress", progress({ state: "needs_sign_in", code: "session_expired", message: "Your session has ended. Sign in again to continue." }));
    await fireEvent.click(await screen.findByTestId("sign-in-again"));
    expect(onsignin).toHaveBeenCalledWith("Your session has ended. Sign in again to continue.");

    await emit("purchase-progress", progress({ state: "gave_up" }));
    expect(await screen.findByRole("heading", { name: "Still no payment" })).toBeVisible();
    await fireEvent.click(screen.getByTestId("keep-checking"));
    await expect.poll(() => called()).toContain("keep_checking");
  });

  it("explains an expired checkout and a check that failed for good", async () => {
    mount();
    await screen.findByRole("heading", { name: "Waiting for your payment" });
    await emit("purchase-progress", progress({ state: "failed", code: "permission_denied", message: "This account is not allowed to do that." }));
    expect(await screen.findByRole("alert")).toHaveTextContent("not allowed");
    expect(screen.getByRole("button", { name: "Check again" })).toBeVisible();
    await emit("purchase-progress", progress({ state: "expired" }));
    expect(await screen.findByRole("heading", { name: "This checkout expired" })).toBeVisible();
    expect(screen.getByText(/Nothing was charged/)).toBeVisible();
  });
});
