import { MemoryOnlineState } from '../../src/adapters/memory/onlineState.ts';
import { onlineStateConformance } from './onlineStateConformance.ts';

onlineStateConformance({
  name: 'MemoryOnlineState',
  create: async (limits) => new MemoryOnlineState(limits),
});
