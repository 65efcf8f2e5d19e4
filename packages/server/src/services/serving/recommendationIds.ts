import { randomUUID } from 'node:crypto';

/**
 * A fresh recommendationId: a UUIDv7 (RFC 9562), the millisecond time in the first 48 bits and
 * 74 random bits after it. Every served list is a row of the recommendation log keyed by this id;
 * time-ordered ids land at the end of its unique index instead of at random places in it, which
 * keeps the per-request write cheap. The random part comes from randomUUID (node keeps a buffer
 * of entropy for it, so no system call per id).
 */
export function newRecommendationId(now = Date.now()): string {
  // many ids share a millisecond: its prefix is built once
  if (now !== prefixMs) {
    const t = now.toString(16).padStart(12, '0');
    prefix = `${t.slice(0, 8)}-${t.slice(8, 12)}-7`;
    prefixMs = now;
  }
  // randomUUID: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, the variant bits V already set
  return prefix + randomUUID().slice(15);
}

let prefixMs = Number.NaN;
let prefix = '';
