import { bitFlipSuite } from '../helpers/mutations.js';

// Every vector, every offset, XOR 0x80 (one spec file per mask so that they run in parallel).
bitFlipSuite(0x80);
