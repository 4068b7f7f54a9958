/**
 * A set of 14x14 grey-level digits: `images` holds `n * height * width` uint8 pixels (0 = background,
 * 255 = full ink), digit-major and row-major; `labels[i]` is the digit (0..9) of image `i`.
 */
export interface MnistDataset {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  height: 14;
  width: 14;
}

/** Pixels per image of the shipped fixture (14 x 14). */
export const MNIST14_PIXELS = 196;
