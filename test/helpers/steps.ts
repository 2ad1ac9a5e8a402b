/** The drill's step headings, as the engine announces them in drill-start. */
import { DRILL_STEPS } from '../../src/core/steps/index.js';

export const DRILL_HEADINGS = DRILL_STEPS.map((step) => ({ id: step.id, title: step.title }));
