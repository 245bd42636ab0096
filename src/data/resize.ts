// Center-crop to the target aspect ratio, then bilinear resize with libtorch
// (upsample_bilinear2d, align_corners=false, no antialiasing: strong
// downscaling aliases; fine for the modest size changes image folders need).
import { interpolateBilinear } from '../nn/functional.js';
import { fromTypedArray, scope } from '../tensor/index.js';

export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** The largest centered box of the target aspect ratio (height/width) inside an h x w image. */
export function centerCropBox(h: number, w: number, targetH: number, targetW: number): CropBox {
  // Compare w/h with targetW/targetH without division.
  if (w * targetH > h * targetW) {
    const width = Math.max(1, Math.min(w, Math.round((h * targetW) / targetH)));
    return { top: 0, left: Math.floor((w - width) / 2), height: h, width };
  }
  const height = Math.max(1, Math.min(h, Math.round((w * targetH) / targetW)));
  return { top: Math.floor((h - height) / 2), left: 0, height, width: w };
}

/** A planar uint8 C x h x w image center-cropped and resized to C x targetH x targetW. */
export function centerCropResize(
  data: Uint8Array,
  channels: number,
  h: number,
  w: number,
  targetH: number,
  targetW: number,
): Uint8Array {
  const box = centerCropBox(h, w, targetH, targetW);
  return scope(() => {
    const crop = fromTypedArray(data, [1, channels, h, w])
      .narrow(2, box.top, box.height)
      .narrow(3, box.left, box.width);
    // A pure crop is exact; only resample when the size still differs.
    if (box.height === targetH && box.width === targetW) return crop.contiguous().toArray() as Uint8Array;
    const resized = interpolateBilinear(crop.float(), [targetH, targetW]);
    return resized.round().clamp(0, 255).byte().toArray() as Uint8Array;
  });
}
