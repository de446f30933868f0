// Test host only: the runtime's entry when the host shares its clock (test-clock.ts runs first, then the runtime).
import './test-clock.ts';
import '../main.ts';
