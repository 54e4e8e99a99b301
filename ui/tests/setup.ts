import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/svelte";
import { afterEach, expect } from "vitest";

import { takeUnexpected } from "./ipc";

afterEach(() => {
  cleanup();
  clearMocks();
  expect(takeUnexpected(), "commands the screen called without a handler in the test").toEqual([]);
});
