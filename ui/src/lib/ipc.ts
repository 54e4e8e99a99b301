import type { IpcError } from "./bindings";

/** The value of a `{status, data|error}` result, or the error thrown as an `IpcError`. */
export async function unwrap<T>(
  result: Promise<{ status: "ok"; data: T } | { status: "error"; error: IpcError }>,
): Promise<T> {
  const r = await result;
  if (r.status === "error") throw r.error;
  return r.data;
}
