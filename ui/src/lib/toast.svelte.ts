/** Short confirmations ("Link copied", "Settings saved") shown by <Toaster>.
 * They confirm what the person just did; anything they must act on is a
 * notice on the screen instead, since a toast goes away by itself. */
export type Tone = "info" | "success" | "error";

export interface Toast {
  id: number;
  message: string;
  tone: Tone;
}

/** How long a toast stays: long enough to read twice. */
export const TOAST_MS = 4000;

let next = 1;
export const toasts = $state<Toast[]>([]);

export function dismiss(id: number) {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

export function toast(message: string, tone: Tone = "success"): number {
  const id = next++;
  // One of each message at a time: pressing "Copy" twice shows one toast.
  const same = toasts.find((t) => t.message === message);
  if (same) dismiss(same.id);
  toasts.push({ id, message, tone });
  if (toasts.length > 3) toasts.shift();
  setTimeout(() => dismiss(id), TOAST_MS);
  return id;
}
