import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { Quote } from "../src/lib/bindings";
import Home from "../src/screens/Home.svelte";
import { BACKGROUND, ACCOUNT, PENDING, PRICING, record, standing } from "./fixtures";
import { type Call, mockCommands } from "./ipc";

function props() {
  return {
    record: record({ id: `acct_${Math.random()}` }),
    account: ACCOUNT,
    onsessionended: vi.fn(),
    onsignedout: vi.fn(),
    onpurchase: vi.fn(),
    onhistory: vi.fn(),
  };
}

const quote = (input: string): Quote => ({ amount: { currency: "USD", minor: Number(input) * 100 }, credits: String(Number(input) * 100) });

describe("home: buying", () => {
  it("buys a quoted amount once, however often Buy is pressed", async () => {
    let buys = 0;
    let release: () => void = () => {};
    mockCommands({
      ...BACKGROUND,
      pricing: async () => PRICING,
      quote: async (args) => quote((args as { input: string }).input),
      purchase_state: async () => null,
      buy: async () => {
        buys += 1;
        await new Promise<void>((r) => (release = r));
        return { outcome: { outcome: "started", purchase: PENDING }, open_error: null };
      },
    });
    const p = props();
    render(Home, p);
    const buy = await screen.findByTestId("buy");
    expect(buy).toBeDisabled();
    await fireEvent.click(await screen.findByRole("button", { name: "$5.00" }));
    await expect.poll(() => buy.textContent).toMatch(/Buy 500 credits for \$5\.00/);
    await fireEvent.click(buy);
    await expect.poll(() => buy.textContent).toMatch(/Opening checkout/);
    expect(buy).toBeDisabled();
    await fireEvent.click(buy);
    release();
    await expect.poll(() => p.onpurchase.mock.calls.length).toBe(1);
    expect(buys).toBe(1);
    expect(p.onpurchase).toHaveBeenCalledWith({ purchase: PENDING, last: null }, null);
  });

  it("shows the purchase already in flight instead of a second one, and says why Buy failed", async () => {
    let answer: "pending" | "refused" = "pending";
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      quote: (args) => quote((args as { input: string }).input),
      purchase_state: () => ({ purchase: PENDING, last: null }),
      buy: () => {
        if (answer === "refused") throw { code: "checkout_url_refused", message: "Topup did not open “https://checkout.stripe.com.evil.example/”." };
        return { outcome: { outcome: "already_pending", purchase: PENDING }, open_error: null };
      },
    });
    const p = props();
    render(Home, p);
    expect(await screen.findByTestId("pending-banner")).toHaveTextContent("A purchase of $5.00 is in progress.");
    await fireEvent.click(screen.getByTestId("show-pending"));
    expect(p.onpurchase).toHaveBeenLastCalledWith({ purchase: PENDING, last: null }, null);

    await fireEvent.input(await screen.findByTestId("amount"), { target: { value: "10" } });
    await expect.poll(() => screen.getByTestId("buy").textContent).toMatch(/Buy 1,000 credits/);
    await fireEvent.click(screen.getByTestId("buy"));
    await expect.poll(() => p.onpurchase.mock.calls.length).toBe(2);
    expect(p.onpurchase.mock.calls[1]![1]).toMatch(/still in progress/);

    answer = "refused";
    await fireEvent.click(screen.getByTestId("buy"));
    expect(await screen.findByTestId("buy-error")).toHaveTextContent("Topup did not open");
  });

  it("offers to try again when it is unknown whether the checkout was created", async () => {
    const bought: string[] = [];
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      quote: (args) => quote((args as { input: string }).input),
      purchase_state: () => null,
      buy: (args) => {
        bought.push((args as { input: string }).input);
        if (bought.length === 1)
          throw { code: "purchase_unconfirmed", message: "Topup could not tell whether the checkout was created: the service answered HTTP 502. Nothing is charged unless a checkout is paid, so it is safe to try again." };
        return { outcome: { outcome: "started", purchase: PENDING }, open_error: null };
      },
    });
    const p = props();
    render(Home, p);
    await fireEvent.click(await screen.findByRole("button", { name: "$5.00" }));
    await expect.poll(() => screen.getByTestId("buy").textContent).toMatch(/Buy 500 credits/);
    await fireEvent.click(screen.getByTestId("buy"));
    expect(await screen.findByTestId("buy-error")).toHaveTextContent("Nothing is charged unless a checkout is paid");
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await expect.poll(() => p.onpurchase.mock.calls.length).toBe(1);
    expect(bought).toEqual(["5", "5"]);
    expect(screen.queryByTestId("buy-error")).toBeNull();
  });

  it("offers no retry for a refusal that would only fail again", async () => {
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      quote: (args) => quote(String(args["input"])),
      purchase_state: () => null,
      buy: () => {
        throw { code: "permission_denied", message: "This account is not allowed to do that." };
      },
      balance_shown: () => undefined,
    });
    render(Home, props());
    await fireEvent.click(await screen.findByRole("button", { name: "$5.00" }));
    await expect.poll(() => screen.getByTestId("buy").textContent).toMatch(/Buy 500 credits/);
    await fireEvent.click(screen.getByTestId("buy"));
    expect(await screen.findByTestId("buy-error")).toHaveTextContent("not allowed");
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("abandons the pending purchase from the banner", async () => {
    const calls: Call[] = [];
    mockCommands(
      {
        ...BACKGROUND,
        pricing: () => PRICING,
        purchase_state: () => ({ purchase: PENDING, last: null }),
        cancel_purchase: () => null,
        dismiss_purchase: () => undefined,
        balance_shown: () => undefined,
      },
      calls,
    );
    render(Home, props());
    await fireEvent.click(await screen.findByTestId("abandon-pending"));
    expect(await screen.findByRole("dialog", { name: "Abandon this purchase?" })).toBeVisible();
    expect(calls.map(([command]) => command)).not.toContain("cancel_purchase");
    await fireEvent.click(screen.getByTestId("dialog-confirm"));
    await expect.poll(() => screen.queryByTestId("pending-banner")).toBeNull();
    expect(calls.map(([command]) => command)).toEqual(expect.arrayContaining(["cancel_purchase", "dismiss_purchase"]));
  });
    });

describe("home: balance", () => {
  it("reports the balance to the app once it is on screen", async () => {
    const shown: unknown[] = [];
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      purchase_state: () => null,
      balance_shown: (args) => void shown.push(args),
    });
    const p = props();
    render(Home, p);
    expect(await screen.findByTestId("balance")).toHaveTextContent(/credits/);
    await expect.poll(() => shown).toEqual([{ accountId: p.record.id, balance: ACCOUNT.balance, on: "home" }]);
  });
    });

describe("home: alerts and forecast", () => {
  it("shows the low-balance alert and the forecast Rust computed", async () => {
    const p = props();
    mockCommands({ ...BACKGROUND, pricing: () => PRICING, standings: () => [standing({ account_id: p.record.id })] });
    render(Home, p);
    const alert = await screen.findByTestId("low-balance-alert");
    expect(alert).toHaveTextContent("Low on credits: 900 left, under your alert at 1,000. At your pace of the last 7 days, about 9 days left.");
    expect(screen.getByTestId("forecast")).toHaveTextContent("At your pace of the last 7 days, about 9 days left.");
    // The background refresh read the balance after this screen did: its number shows.
    expect(screen.getByTestId("balance")).toHaveAttribute("data-value", "900");
  });

  it("keeps its own balance over an older one from the background refresh", async () => {
    const p = props();
    mockCommands({ ...BACKGROUND, pricing: () => PRICING, standings: () => [standing({ account_id: p.record.id, checked_at: 1_000_000_000 })] });
    render(Home, p);
    await screen.findByTestId("low-balance-alert");
    expect(screen.getByTestId("balance")).toHaveAttribute("data-value", ACCOUNT.balance);
  });

  it("says plainly when there is too little history, and shows no alert above the threshold", async () => {
    const p = props();
    const text = "Not enough history yet to forecast: Topup needs a day of spending to go by.";
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      standings: () => [standing({ account_id: p.record.id, low: false, balance: "1500", forecast: { kind: "not_enough_history", days_left: null, per_day: null, window_days: null, text } })],
    });
    render(Home, p);
    expect(await screen.findByTestId("forecast")).toHaveTextContent(text);
    expect(screen.queryByTestId("low-balance-alert")).toBeNull();
  });

  it("a top-up from the tray puts the cursor in the amount, with the last purchase's amount", async () => {
    const p = props();
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      quote: (args) => quote(String(args["input"])),
      standings: () => [standing({ account_id: p.record.id })],
    });
    render(Home, { ...p, buyFocus: 1 });
    const amount = await screen.findByTestId("amount");
    await expect.poll(() => document.activeElement).toBe(amount);
    await expect.poll(() => (amount as HTMLInputElement).value).toBe("25");
    expect(await screen.findByTestId("quote")).toHaveTextContent("2,500 credits");
  });
});

