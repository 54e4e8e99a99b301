import axe from "axe-core";
import { expect } from "vitest";

/**
 * Runs axe-core's WCAG 2.1 A/AA rules over what a test rendered and fails on
 * serious or critical findings. jsdom has no layout, so colour contrast is
 * left to the e2e tour, which runs axe in the real window in both themes.
 */
export async function expectAccessible(root: Element = document.body) {
  const result = await axe.run(root, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    rules: { "color-contrast": { enabled: false } },
    resultTypes: ["violations"],
  });
  const serious = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(serious).toEqual([]);
}
