import type { IpcError } from "./bindings";

/** Turns whatever a failed IPC call rejected with into a sentence for a person. */
export function describeFailure(err: unknown): string {
  if (isIpcError(err)) return err.message;
  if (typeof err === "string" && err.length > 0) return err;
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong inside Topup.";
}

export function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)["code"] === "string" &&
    typeof (value as Record<string, unknown>)["message"] === "string"
  );
}
