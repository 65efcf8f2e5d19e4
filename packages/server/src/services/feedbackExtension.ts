import { FeedbackService } from './feedback.ts';
import type { ServerExtension } from './serverExtensions.ts';

/**
 * Keeps negative feedback events (not-interested, dislike, hide-category) as durable stated
 * preferences (see FeedbackService). It follows the bus like the real-time updater does, so
 * events from `attune import` and every API node are folded in the same way.
 */
export const feedbackExtension: ServerExtension = (ctx) => {
  const feedback = new FeedbackService(ctx.store, ctx.users);
  let unsubscribe: (() => void) | undefined;
  return {
    services: [
      {
        name: 'feedback',
        start() {
          unsubscribe = ctx.bus.subscribe('events.accepted', (m) => feedback.eventsAccepted(m.events));
        },
        stop() {
          unsubscribe?.();
        },
      },
    ],
  };
};
