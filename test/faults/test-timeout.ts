/**
 * A scenario's time grows with FAULTS_SCALE (hundreds of signed requests, secrets scans over tens of
 * thousands of lines): jest's 5 s default is not a bound anything promises. Scenarios with a size of
 * their own set it with `timeoutFor`.
 */
import { FULL } from './helpers/scale';

jest.setTimeout(FULL ? 900_000 : 120_000);
