/**
 * What a person was typing, per account, for this run of the app: a screen
 * that goes away (say, to sign in again after a session ended) finds it again
 * when it comes back. Nothing here is secret; nothing is written to disk.
 */
const amounts = new Map<string, string>();

export function draftAmount(accountId: string): string {
  return amounts.get(accountId) ?? "";
}

export function keepDraftAmount(accountId: string, value: string): void {
  if (value === "") amounts.delete(accountId);
  else amounts.set(accountId, value);
}
