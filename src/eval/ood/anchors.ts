// Published OOD-detection results to read ours against: Fashion-MNIST as the
// in-distribution data, MNIST as OOD, with PixelCNN++-family models.
export interface OodAnchor {
  method: string;
  /** AUROC as published (a range where sources differ). */
  auroc: string;
  source: string;
  /** Which of our statistics is closest in spirit, if any. */
  ours: string | null;
}

export const FASHION_MNIST_VS_MNIST_ANCHORS: readonly OodAnchor[] = [
  {
    method: 'raw likelihood, PixelCNN++',
    auroc: '0.07-0.10',
    source: 'Ren et al. 2019 (Table 1); Nalisnick et al. 2019',
    ours: 'nll',
  },
  {
    method: 'likelihood ratio with a background model',
    auroc: '~0.99',
    source: 'Ren et al. 2019',
    ours: 'lr',
  },
  {
    method: 'input complexity (PNG/FLIF)',
    auroc: '~0.97',
    source: 'Serra et al. 2020',
    ours: null,
  },
];

/** The anchors that apply to an (in, OOD) pair of dataset specs, or none. */
export function oodAnchors(inSpec: string, oodSpec: string): readonly OodAnchor[] {
  const base = (s: string) => s.split(':')[0];
  return base(inSpec) === 'fashion-mnist' && base(oodSpec) === 'mnist' ? FASHION_MNIST_VS_MNIST_ANCHORS : [];
}
