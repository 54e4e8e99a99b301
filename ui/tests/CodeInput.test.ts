import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import CodeInput from "../src/components/CodeInput.svelte";

const cells = () => Array.from({ length: 6 }, (_, i) => screen.getByTestId(`code-cell-${i}`).textContent);

describe("code input", () => {
  it("is one field a screen reader names, drawn as six cells", () => {
    render(CodeInput, {});
    expect(screen.getAllByRole("textbox")).toHaveLength(1);
    expect(screen.getByRole("textbox", { name: "Six-digit code" })).toHaveAttribute("autocomplete", "one-time-code");
  });

  it("keeps digits only, never more than six, and each once", async () => {
    const oncomplete = vi.fn();
    render(CodeInput, { oncomplete });
    const field = screen.getByRole("textbox") as HTMLInputElement;
    await fireEvent.input(field, { target: { value: "7" } });
    expect(cells()).toEqual(["7", "", "", "", "", ""]);
    await fireEvent.input(field, { target: { value: "7a1 2-34567" } });
    expect(field.value).toBe("712345");
    expect(cells()).toEqual(["7", "1", "2", "3", "4", "5"]);
    expect(oncomplete).toHaveBeenCalledWith("712345");
    // Backspace: the browser removes the last character; the cells follow.
    await fireEvent.input(field, { target: { value: "71234" } });
    expect(cells()).toEqual(["7", "1", "2", "3", "4", ""]);
  });

  it("takes a pasted code at the caret, replacing what is selected", async () => {
    render(CodeInput, { value: "12" });
    const field = screen.getByRole("textbox") as HTMLInputElement;
    field.focus();
    field.setSelectionRange(0, 2);
    await fireEvent.paste(field, { clipboardData: { getData: () => "98 76 54" } });
    expect(field.value).toBe("987654");
    expect(cells()).toEqual(["9", "8", "7", "6", "5", "4"]);
  });
});
