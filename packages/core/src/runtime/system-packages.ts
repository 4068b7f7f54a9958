/** Debian/Ubuntu packages that give Dawn a software GL ES driver (Mesa llvmpipe) on machines without a GPU. */
export const WEBGPU_SYSTEM_PACKAGES = ['libegl1', 'libgles2', 'libegl-mesa0'] as const;
