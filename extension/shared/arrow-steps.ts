/** Arrow keys in a radio group (the colour swatches of the popup and of the composer): to the next or previous radio. */
export const ARROW_STEPS: Readonly<Record<string, number>> = {
  ArrowRight: 1,
  ArrowDown: 1,
  ArrowLeft: -1,
  ArrowUp: -1,
};
