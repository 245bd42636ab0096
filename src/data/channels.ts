// Channel conversion for planar uint8 images: gray to RGB copies the plane;
// RGB to gray uses ITU-R BT.601 luma in 16-bit fixed point (as PIL's "L" mode),
// which returns v exactly when R = G = B = v.

/** True when the image has one channel or all its pixels have R = G = B. */
export function isGray(channels: number, data: Uint8Array): boolean {
  if (channels === 1) return true;
  const plane = data.length / channels;
  for (let p = 0; p < plane; p++) {
    const r = data[p];
    if (data[plane + p] !== r || data[2 * plane + p] !== r) return false;
  }
  return true;
}

/** The image with `to` channels (1 or 3); the input itself when nothing changes. */
export function convertChannels(data: Uint8Array, from: 1 | 3, to: 1 | 3): Uint8Array {
  if (from === to) return data;
  const plane = data.length / from;
  if (to === 3) {
    const out = new Uint8Array(3 * plane);
    out.set(data, 0);
    out.set(data, plane);
    out.set(data, 2 * plane);
    return out;
  }
  const out = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    const r = data[p] as number;
    const g = data[plane + p] as number;
    const b = data[2 * plane + p] as number;
    out[p] = (19595 * r + 38470 * g + 7471 * b + 32768) >>> 16;
  }
  return out;
}
