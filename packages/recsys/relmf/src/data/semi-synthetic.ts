/**
 * The MNAR toy of Saito et al., "Unbiased Recommender Learning from MNAR Implicit Feedback", WSDM 2020 ("CPU toy experiment"), a small semi-synthetic world in the spirit of Saito et
 * al.'s ML-100K study (WSDM 2020, Sec. 5.1) where relevance, exposure and clicks are all known:
 *
 *   relevance  gamma_ui = sigmoid(u_u . v_i / sqrt(K) + q_i + relevanceOffset),  u, v ~ N(0, I_K), q_i ~ N(0, 1)
 *   exposure   theta_i  = clip(sigmoid(exposureSlope * z_i + exposureOffset), minExposure, 1),
 *              z_i = rho * q_i + sqrt(1 - rho^2) * xi_i,  xi_i ~ N(0, 1)
 *   clicks     Y_ui = O_ui * R_ui,  O ~ Bern(theta_i), R ~ Bern(gamma_ui)
 *   MAR test   `testItemsPerUser` distinct random items per user with fresh truth R' ~ Bern(gamma)
 *
 * rho < 0 makes exposed (popular) items less relevant, so clicks are missing not at random.
 */
import type { Rng } from '@unbiased/core';
import { checkInteger, checkNumber, invalidArgument } from '../validate.js';

export interface MnarToyOptions {
  /** Default 2,000 (checked in our own simulation). */
  numUsers?: number;
  /** Default 100 (checked in our own simulation). */
  numItems?: number;
  /** Latent dimension K of the true relevance. Default 4 (checked in our own simulation). */
  latentDim?: number;
  /** Correlation of exposure with item quality. Default -0.5 (checked in our own simulation) (0 gives a weaker MNAR effect). */
  rho?: number;
  /** Offset in the relevance logit. Default -2 (checked in our own simulation) (mean gamma about 0.19). */
  relevanceOffset?: number;
  /** Slope of the exposure logit. Default 2 (checked in our own simulation). */
  exposureSlope?: number;
  /** Offset of the exposure logit. Default -1.5 (checked in our own simulation). */
  exposureOffset?: number;
  /** Lower clip of theta. Default 0.01 (checked in our own simulation). */
  minExposure?: number;
  /** Test items per user, distinct, uniform. Default 10 (checked in our own simulation). */
  testItemsPerUser?: number;
}

export interface MnarToyData {
  numUsers: number;
  numItems: number;
  /** gamma, row-major [numUsers * numItems]. */
  relevance: Float32Array;
  /** theta_i per item. */
  exposure: Float32Array;
  /** Y, row-major [numUsers * numItems]. */
  clicks: Uint8Array;
  /** Clicks per item in the training data (n_i). */
  itemClicks: Int32Array;
  /** The MAR test set: `testItemsPerUser` rows per user. */
  test: { users: Int32Array; items: Int32Array; relevance: Uint8Array };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Draws the toy world from `rng` (folded by component name, so each part has its own stream). */
export function generateMnarToy(rng: Rng, options: MnarToyOptions = {}): MnarToyData {
  const {
    numUsers = 2000,
    numItems = 100,
    latentDim = 4,
    rho = -0.5,
    relevanceOffset = -2,
    exposureSlope = 2,
    exposureOffset = -1.5,
    minExposure = 0.01,
    testItemsPerUser = 10,
  } = options;
  checkInteger('numUsers', numUsers, { min: 1 });
  checkInteger('numItems', numItems, { min: 1 });
  checkInteger('latentDim', latentDim, { min: 1 });
  checkNumber('rho', rho, { min: -1, max: 1 });
  checkNumber('relevanceOffset', relevanceOffset);
  checkNumber('exposureSlope', exposureSlope);
  checkNumber('exposureOffset', exposureOffset);
  checkNumber('minExposure', minExposure, { min: 0, max: 1, minExclusive: true });
  checkInteger('testItemsPerUser', testItemsPerUser, { min: 1 });
  if (testItemsPerUser > numItems) invalidArgument('testItemsPerUser', `testItemsPerUser (${testItemsPerUser}) exceeds numItems (${numItems})`);

  const userFactors = rng.fold('user-factors').normal(numUsers * latentDim);
  const itemFactors = rng.fold('item-factors').normal(numItems * latentDim);
  const quality = rng.fold('item-quality').normal(numItems);
  const xi = rng.fold('exposure-noise').normal(numItems);
  const scale = 1 / Math.sqrt(latentDim);
  const spread = Math.sqrt(1 - rho * rho);

  const exposure = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    const z = rho * (quality[i] as number) + spread * (xi[i] as number);
    exposure[i] = Math.min(1, Math.max(minExposure, sigmoid(exposureSlope * z + exposureOffset)));
  }

  const relevance = new Float32Array(numUsers * numItems);
  for (let u = 0; u < numUsers; u++) {
    for (let i = 0; i < numItems; i++) {
      let dot = 0;
      for (let k = 0; k < latentDim; k++) dot += (userFactors[u * latentDim + k] as number) * (itemFactors[i * latentDim + k] as number);
      relevance[u * numItems + i] = sigmoid(dot * scale + (quality[i] as number) + relevanceOffset);
    }
  }

  const observed = rng.fold('exposure-draws').uniform(numUsers * numItems);
  const relevant = rng.fold('relevance-draws').uniform(numUsers * numItems);
  const clicks = new Uint8Array(numUsers * numItems);
  const itemClicks = new Int32Array(numItems);
  for (let p = 0; p < clicks.length; p++) {
    const i = p % numItems;
    const click = (observed[p] as number) < (exposure[i] as number) && (relevant[p] as number) < (relevance[p] as number);
    if (click) {
      clicks[p] = 1;
      itemClicks[i]!++;
    }
  }

  const testRng = rng.fold('test');
  const testTruth = rng.fold('test-relevance').uniform(numUsers * testItemsPerUser);
  const size = numUsers * testItemsPerUser;
  const test = { users: new Int32Array(size), items: new Int32Array(size), relevance: new Uint8Array(size) };
  for (let u = 0; u < numUsers; u++) {
    const chosen = testRng.permutation(numItems).subarray(0, testItemsPerUser);
    for (let k = 0; k < testItemsPerUser; k++) {
      const row = u * testItemsPerUser + k;
      const i = chosen[k] as number;
      test.users[row] = u;
      test.items[row] = i;
      test.relevance[row] = (testTruth[row] as number) < (relevance[u * numItems + i] as number) ? 1 : 0;
    }
  }
  return { numUsers, numItems, relevance, exposure, clicks, itemClicks, test };
}
