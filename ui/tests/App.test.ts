import { mockIPC } from "@tauri-apps/api/mocks";
import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";

import App from "../src/App.svelte";
import { APP_INFO, PRESETS } from "./fixtures";

describe("app shell", () => {
  it("opens on the first-run screen and names its version", async () => {
    mockIPC((cmd) => (cmd === "app_info" ? APP_INFO : PRESETS));
    render(App);

    expect(await screen.findByRole("heading", { name: "Where do you buy credits?" })).toBeVisible();
    await expect.poll(() => screen.getByTestId("app-version").textContent).toBe("Topup 9.8.7");
  });
});
