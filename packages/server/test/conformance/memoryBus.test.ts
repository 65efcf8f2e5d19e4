import { MemoryBus } from '../../src/adapters/memory/memoryBus.ts';
import { busConformance } from './busConformance.ts';

busConformance({
  name: 'MemoryBus',
  create: async (onError) => new MemoryBus(onError),
});
