import { FeedbackService } from './feedback.ts';
import type { ServerExtension } from './serverExtensions.ts';

/**
 * Keeps negative feedback events (not-interested, dislike, hide-category) as durable stated
 * preferences (see FeedbackService). It follows the bus like the real-time updater does, so
 * events from `attune import` and every API node are folded in the same way.
 */
export const feedbackExtension: ServerExtension = (ctx) => {
  // like the real-time updater: with split roles the worker group folds each event once, and
  // api nodes already exclude the item at once through the shared online state
  if (ctx.config.role === 'api') return {};
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
