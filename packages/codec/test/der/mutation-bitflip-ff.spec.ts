import { bitFlipSuite } from '../helpers/mutations.js';

// Every vector, every offset, XOR 0xff (one spec file per mask so that they run in parallel).
bitFlipSuite(0xff);
