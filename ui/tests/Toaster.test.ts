import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import Toaster from "../src/components/Toaster.svelte";
import { TOAST_MS, toast, toasts } from "../src/lib/toast.svelte";

afterEach(() => {
  vi.useRealTimers();
  toasts.splice(0);
});

describe("toasts", () => {
  it("are announced politely, go away by themselves, and can be dismissed", async () => {
    vi.useFakeTimers();
    render(Toaster);
    toast("Checkout link copied");
    toast("Checkout link copied");
    toast("Settings saved for Work");
    await vi.advanceTimersByTimeAsync(0);
    const region = screen.getByRole("status", { name: "Notifications" });
    expect(region).toHaveAttribute("aria-live", "polite");
    // The same message twice shows once.
    expect(screen.getAllByTestId("toast").map((t) => t.textContent?.trim())).toEqual(["Checkout link copied", "Settings saved for Work"]);
    await fireEvent.click(screen.getAllByRole("button", { name: "Dismiss" })[0]!);
    expect(screen.getAllByTestId("toast")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(TOAST_MS);
    expect(screen.queryAllByTestId("toast")).toHaveLength(0);
  });
});
