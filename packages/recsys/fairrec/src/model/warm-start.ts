/**
 * Starting FairRec from a trained NRMS model: its news encoder and its user encoder become FairRec's news
 * encoder and bias-free user encoder; the bias-aware branch and the discriminator keep their fresh
 * initialisation. A budget device for short runs (inferred): adversarial debiasing then starts from a model that
 * already ranks, which is what our synthetic FairRec toy's second phase (encoder lr x0.1 while the discriminator
 * catches up) does after ten epochs of joint training.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import type { FairRecModel } from './fairrec.js';
import type { NrmsModel } from './nrms.js';

/** Path of a variable below its model prefix (`<prefix>/news/...` -> `news/...`). */
function localPath(name: string, prefix: string): string {
  return name.startsWith(`${prefix}/`) ? name.slice(prefix.length + 1) : name;
}

/**
 * Copies `source`'s `news/*` into `target`'s `news/*` and `user/*` into `bias_free_user/*`. The two
 * models must have been built with the same news and user encoder options: a missing counterpart or a
 * shape difference is `SHAPE_MISMATCH` naming the variable. Returns the number of variables copied.
 */
export function warmStartFromNrms(target: FairRecModel, source: NrmsModel): number {
  const targets = new Map(Object.values(target.recommenderVariables()).map((v) => [localPath(v.name, target.store.prefix), v]));
  let copied = 0;
  for (const variable of Object.values(source.recommenderVariables())) {
    const path = localPath(variable.name, source.store.prefix).replace(/^user\//, 'bias_free_user/');
    const counterpart = targets.get(path);
    if (!counterpart || counterpart.shape.join('x') !== variable.shape.join('x')) {
      throw new UnbiasedError(
        'SHAPE_MISMATCH',
        `cannot warm-start FairRec variable "${path}" from NRMS "${variable.name}" [${variable.shape}]: ${counterpart ? `shape [${counterpart.shape}]` : 'no such variable'}; build both models with the same encoder options`,
        { field: path },
      );
    }
    counterpart.assign(variable);
    copied++;
  }
  return copied;
}
