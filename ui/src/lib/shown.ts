import { commands, type BalanceShownOn } from "./bindings";

/**
 * Tells the app that a balance is on screen, once the frame holding it has
 * been painted: the first animation-frame callback runs before that paint,
 * the second after it. The app logs the moment, which is what the
 * benchmarks time "launch → balance" and "paid → credits on screen" by.
 */
export function reportBalanceShown(accountId: string, balance: string, on: BalanceShownOn): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      void commands.balanceShown(accountId, balance, on).catch(() => {});
    }),
  );
}
