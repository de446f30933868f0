// The runtime imports this class from apps-engine's TypeScript sources, which the npm package does not ship.
// Re-export the compiled class through the runtime's own require so `instanceof` matches what apps get.
import { require } from '../lib/require.ts';

const mod = require('@rocket.chat/apps-engine/definition/exceptions/AppsEngineException.js');
export const AppsEngineException = mod.AppsEngineException;
