import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { Preset } from "../src/lib/bindings";
import { toasts } from "../src/lib/toast.svelte";
import FirstRun from "../src/screens/FirstRun.svelte";
import { PRESETS, record } from "./fixtures";
import { mockCommands } from "./ipc";

describe("first run", () => {
  it("lists every service Rust offers, with its address", async () => {
    mockCommands({
      provider_presets: () => PRESETS,
    });
    render(FirstRun);

    const clara = await screen.findByTestId("preset-clara");
    expect(within(clara).getByText("https://backend.clara.crazi.co/api/v1")).toBeInTheDocument();
    expect(within(clara).getByText(/Sign in with email and password, an API-key token, or Google/)).toBeInTheDocument();
    const dispersed = screen.getByTestId("preset-dispersed");
    expect(within(dispersed).getByText("https://api.dispersed.com")).toBeInTheDocument();
    expect(within(dispersed).getByText(/Sign in with an API key pair · Currency: Euro/)).toBeInTheDocument();
    expect(
      within(screen.getByTestId("preset-sandbox")).getByText("Runs inside Topup, on this computer"),
    ).toBeInTheDocument();
    expect(screen.getAllByRole("radio")).toHaveLength(4);
  });

  it("shows a skeleton while the list loads", async () => {
    let release: (value: Preset[]) => void = () => {};
    mockCommands({ provider_presets: () => new Promise((resolve) => (release = resolve)) });
    render(FirstRun);

    expect(screen.getAllByRole("status")[0]).toHaveTextContent("Loading services");
    release(PRESETS);
    expect(await screen.findByTestId("preset-clara")).toBeInTheDocument();
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("explains a failed load and retries", async () => {
    let calls = 0;
    mockCommands({
      provider_presets: () => {
        calls += 1;
        if (calls === 1) throw "The app's backend is not responding.";
        return PRESETS;
      },
    });
    render(FirstRun);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("could not load its list of services");
    expect(alert).toHaveTextContent("The app's backend is not responding.");
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("preset-clara")).toBeInTheDocument();
    expect(calls).toBe(2);
  });

  it("checks a custom address in Rust and shows its verdict", async () => {
    mockCommands({
      provider_presets: () => PRESETS,
      check_base_url: (args) => {
        const input = (args as { input: string }).input;
        if (input.startsWith("https://")) return input.replace(/\/$/, "");
        throw { code: "invalid_base_url", message: "Plain http:// is only allowed for this computer (localhost). Use https://." };
      },
    });
    render(FirstRun);

    await fireEvent.click(await screen.findByTestId("preset-custom_clara"));
    const field = screen.getByLabelText("Server address");
    await fireEvent.input(field, { target: { value: "http://backend.example.com" } });
    const status = screen.getByTestId("base-url-status");
    await expect.poll(() => status.textContent).toContain("Plain http:// is only allowed");
    expect(field).toHaveAttribute("aria-invalid", "true");

    await fireEvent.input(field, { target: { value: "https://backend.example.com/api/v1/" } });
    await expect
      .poll(() => status.textContent)
      .toContain("Topup will connect to https://backend.example.com/api/v1");
    expect(field).toHaveAttribute("aria-invalid", "false");
  });

  it("adds the chosen service and hands the new account on", async () => {
    let added: unknown = null;
    mockCommands({
      provider_presets: () => PRESETS,
      add_account: (args) => {
        added = (args as { account: unknown }).account;
        return record({ id: "acct_1" });
      },
      checkout_note: () => "This account's server is on this computer.",
    });
    const onadded = vi.fn();
    render(FirstRun, { onadded });
    expect(await screen.findByTestId("continue")).toBeDisabled();
    await fireEvent.click(screen.getByTestId("preset-dispersed"));
    await fireEvent.click(screen.getByTestId("continue"));
    await expect.poll(() => onadded.mock.calls.length).toBe(1);
    expect(added).toMatchObject({ preset: "dispersed", base_url: null });
    // What its checkout pages need is said when the account is added.
    await expect.poll(() => toasts.map((t) => t.message)).toContain("This account's server is on this computer.");
  });

  it("names a custom server's account as the person types it, or leaves the name to Topup", async () => {
    const added: { label: string | null }[] = [];
    mockCommands({
      provider_presets: () => PRESETS,
      check_base_url: (args) => (args as { input: string }).input,
      add_account: (args) => {
        added.push((args as { account: { label: string | null } }).account);
        return record({ id: `acct_${added.length}` });
      },
      checkout_note: () => null,
    });
    render(FirstRun, { onadded: vi.fn() });
    await fireEvent.click(await screen.findByTestId("preset-custom_clara"));
    await fireEvent.input(screen.getByLabelText("Server address"), { target: { value: "https://backend.example.com/api/v1" } });
    await expect.poll(() => screen.getByTestId("base-url-status").textContent).toContain("Topup will connect to");
    expect(screen.getByText(/your email · backend\.example\.com/)).toBeVisible();
    await fireEvent.click(screen.getByTestId("continue"));
    await fireEvent.input(screen.getByLabelText("Name (optional)"), { target: { value: "  Staging  " } });
    await fireEvent.click(screen.getByTestId("continue"));
    await expect.poll(() => added.length).toBe(2);
    // Sent as typed: core's Accounts::add trims it (one place for every front end).
    expect(added.map((a) => a.label)).toEqual([null, "  Staging  "]);
  });

  it("offers the Sandbox only when it runs", async () => {
    mockCommands({ provider_presets: () => PRESETS });
    render(FirstRun, { sandboxAvailable: false });
    await fireEvent.click(await screen.findByTestId("preset-sandbox"));
    expect(screen.getByTestId("continue")).toBeDisabled();
    expect(screen.getByTestId("preset-sandbox")).toHaveTextContent("--sandbox");
  });

  it("offers the address field only for a custom server", async () => {
    mockCommands({ provider_presets: () => PRESETS });
    render(FirstRun);

    await fireEvent.click(await screen.findByTestId("preset-clara"));
    expect(screen.queryByLabelText("Server address")).not.toBeInTheDocument();
    const checked = screen.getByRole("radio", { checked: true }) as HTMLInputElement;
    expect(checked.value).toBe("clara");
  });
});
