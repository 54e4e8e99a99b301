import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import PriceQuote from "../src/components/PriceQuote.svelte";
import type { Quote } from "../src/lib/bindings";
import { PRICING } from "./fixtures";
import { mockCommands } from "./ipc";

function rustQuote(input: string): Quote {
  // What the core parser answers, for the cases below.
  if (input === "4") throw { code: "invalid_amount", message: "The minimum is $5.00." };
  if (input === "5.50") throw { code: "invalid_amount", message: "This service sells whole units only: type $5.00 or another whole amount." };
  return { amount: { currency: "USD", minor: Number(input) * 100 }, credits: String(Number(input) * 100) };
}

describe("price and quote", () => {
  it("shows the rate and limits, and quotes what an amount buys", async () => {
    const quoted: string[] = [];
    mockCommands({
      pricing: () => PRICING,
      quote: (args) => {
        const input = (args as { input: string }).input;
        quoted.push(input);
        return rustQuote(input);
      },
    });
    render(PriceQuote, { accountId: "acct_quote" });

    expect(await screen.findByTestId("rate")).toHaveTextContent(/100 credits per dollar · from \$5\.00 to \$10,000\.00/);
    await fireEvent.click(screen.getByRole("button", { name: "$5.00" }));
    await expect.poll(() => screen.getByTestId("quote").textContent).toMatch(/You get 500 credits for \$5\.00\./);

    await fireEvent.input(screen.getByTestId("amount"), { target: { value: "4" } });
    await expect.poll(() => screen.getByTestId("quote").textContent).toContain("The minimum is $5.00.");
    expect(screen.getByTestId("amount")).toHaveAttribute("aria-invalid", "true");

    await fireEvent.input(screen.getByTestId("amount"), { target: { value: "5.50" } });
    await expect.poll(() => screen.getByTestId("quote").textContent).toContain("whole units only");
    expect(quoted).toEqual(["5", "4", "5.50"]);
  });

  it("says when the provider publishes no prices", async () => {
    mockCommands({ pricing: () => ({ ...PRICING, prices: null, min: null, max: null, capabilities: { ...PRICING.capabilities, currency: "EUR", price: false } }) });
    render(PriceQuote, { accountId: "acct_no_prices" });
    expect(await screen.findByText(/publishes no price list/)).toBeVisible();
  });

  it("hands an ended session back to the shell", async () => {
    mockCommands({
      pricing: () => {
        throw { code: "session_expired", message: "Your session has ended. Sign in again to continue." };
      },
    });
    const onsessionended = vi.fn();
    render(PriceQuote, { accountId: "acct_session", onsessionended });
    await expect.poll(() => onsessionended.mock.calls.length).toBe(1);
  });
    });

describe("a typed amount", () => {
  it("is still there when the screen comes back (after signing in again)", async () => {
    mockCommands({ pricing: () => PRICING, quote: (args) => rustQuote(String(args["input"])) });
    const first = render(PriceQuote, { accountId: "acct_keep" });
    await screen.findByTestId("rate");
    await fireEvent.input(screen.getByTestId("amount"), { target: { value: "25" } });
    first.unmount();

    render(PriceQuote, { accountId: "acct_keep" });
    await screen.findByTestId("rate");
    expect(screen.getByTestId("amount")).toHaveValue("25");
    await expect.poll(() => screen.getByTestId("quote").textContent).toContain("2,500 credits");
  });
});
