import type { RetrieverType } from '../pipeline/scenario.ts';
import { retrieveAssociated } from './associations.ts';
import { retrieveCollaborative } from './collaborative.ts';
import { retrieveContent } from './content.ts';
import { retrieveNewArrivals } from './newArrivals.ts';
import { retrievePopular, retrievePopularInSegment } from './popularity.ts';
import { retrievePreferences } from './preferences.ts';
import { retrieveRecentlyViewed } from './recentlyViewed.ts';
import { retrieveSimilar } from './similar.ts';
import { retrieveTrending } from './trending.ts';
import type { Retriever } from './types.ts';

/** Every retriever a scenario can name. */
export const RETRIEVERS: Readonly<Record<RetrieverType, Retriever>> = {
  collaborative: retrieveCollaborative,
  similar: retrieveSimilar,
  // product page: the current item (else the user's latest items) as seeds
  'also-bought': (q, n) => retrieveAssociated(q, q.indexes.associations, q.seedIds.length > 0 ? q.seedIds : q.historyIds.slice(-5), n, (ids) => `Customers who bought ${ids} also bought this`),
  // cart: the cart items as seeds
  'bought-together': (q, n) => retrieveAssociated(q, q.indexes.associations, q.seedIds, n, (ids) => `Frequently bought together with ${ids}`),
  trending: retrieveTrending,
  'new-arrivals': (q, n) => retrieveNewArrivals(q, n),
  'recently-viewed': (q, n) => retrieveRecentlyViewed(q, n),
  content: (q, n) => retrieveContent(q, n),
  preferences: retrievePreferences,
  popular: retrievePopular,
  'popular-in-segment': retrievePopularInSegment,
};
