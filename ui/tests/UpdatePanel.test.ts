import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import UpdatePanel from "../src/components/UpdatePanel.svelte";
import type { Preferences, Release, UpdateStatus } from "../src/lib/bindings";
import { type Call, mockCommands } from "./ipc";

const PREFS: Preferences = { theme: "system", check_for_updates: true, update_endpoint: null, refresh_minutes: 15, keep_in_tray: false, close_explained: false };
const RELEASE: Release = { version: "0.2.0", notes: "Faster start.\nA tray icon.", pub_date: "2026-12-01T09:00:00Z" };

function show(status: UpdateStatus, preferences: Preferences = PREFS) {
  const recorded: Call[] = [];
  mockCommands(
    {
      set_check_for_updates: (args) => ({ ...PREFS, check_for_updates: args["on"] === true }),
      install_update: () => ({ state: "installing", release: RELEASE }),
      check_for_updates: () => ({ state: "checking" }),
    },
    recorded,
  );
  const onpreferences = vi.fn();
  render(UpdatePanel, { status, preferences, onpreferences });
  return { calls: () => recorded.map(([command]) => command), onpreferences };
}

describe("updates in settings", () => {
  it("offers a found version with what's new and Restart to update", async () => {
    const { calls } = show({ state: "available", release: RELEASE });
    expect(screen.getByTestId("update-status")).toHaveTextContent("Topup 0.2.0 is available.");
    expect(screen.getByTestId("update-notes")).toHaveTextContent("What’s new in 0.2.0");
    expect(screen.getByTestId("update-notes")).toHaveTextContent("A tray icon.");
    await fireEvent.click(screen.getByRole("button", { name: "Restart to update" }));
    expect(calls()).toEqual(["install_update"]);
  });

  it("says it waits for the watched purchase, with no second install button", () => {
    show({ state: "waiting_for_purchases", release: RELEASE, watching: 1 });
    expect(screen.getByTestId("update-status")).toHaveTextContent(
      "Topup 0.2.0 is ready to install. It installs as soon as the purchase Topup is watching has landed or ended.",
    );
    expect(screen.queryByRole("button", { name: "Restart to update" })).toBeNull();
  });

  it("shows a refused update's message and lets the person try again", () => {
    show({ state: "failed", code: "update_unverified", message: "Topup 0.2.0 was refused: its signature does not match Topup's key.", release: RELEASE });
    const error = screen.getByTestId("update-error");
    expect(error).toHaveTextContent("its signature does not match");
    expect(error).toHaveAttribute("data-code", "update_unverified");
    expect(screen.getByRole("button", { name: "Restart to update" })).toBeEnabled();
  });

  it("turns the daily look off and says so", async () => {
    const { calls, onpreferences } = show({ state: "up_to_date" });
    expect(screen.getByTestId("update-status")).toHaveTextContent("Topup is up to date.");
    await fireEvent.click(screen.getByRole("checkbox", { name: "Look for updates when Topup starts and once a day" }));
    expect(calls()).toEqual(["set_check_for_updates"]);
    await vi.waitFor(() => expect(onpreferences).toHaveBeenCalledWith({ ...PREFS, check_for_updates: false }));
  });

  it("says a copy not installed from a package does not update itself, with nothing to press", () => {
    show({ state: "unsupported" });
    expect(screen.getByTestId("update-status")).toHaveTextContent("does not update itself");
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.queryByRole("checkbox")).toBeNull();
  });
});
