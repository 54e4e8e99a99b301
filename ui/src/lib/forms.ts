/** A form's submit handler that stays in the page: the UI never navigates. */
export function submitted(run: () => void): (e: SubmitEvent) => void {
  return (e) => {
    e.preventDefault();
    run();
  };
}
