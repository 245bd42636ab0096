// `ncml data info`: what a dataset holds, with a sample grid.
import type { Command } from 'commander';

import { datasetInfo } from '../../data/info.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect datasets');
  data
    .command('info')
    .description('counts, shape, class names and a sample grid PNG of a dataset')
    .option('--dataset <spec>', 'fashion-mnist, mnist, cifar10:<dir>, idx:<dir>, folder:<dir>', 'fashion-mnist')
    .option('--png <path>', 'where to write the sample grid')
    .action((o: { dataset: string; png?: string }) => {
      const info = datasetInfo(o.dataset, { pngPath: o.png });
      process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    });
}
