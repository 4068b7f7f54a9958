import type { PaperRef } from '@unbiased/core';

/** The paper every experiment of this package reproduces a claim of (only its abstract was available; Yu et al. 2026, "StoSignSGD", arXiv 2604.15416). */
export const STOSIGN_PAPER: Omit<PaperRef, 'claim'> = {
  title: 'StoSignSGD (Yu, Pan, Liu, Zhang): unbiased stochastic sign SGD and the sign-conversion framework',
  year: 2026,
  url: 'https://arxiv.org/abs/2604.15416',
};
