// safetensors: named tensors plus string metadata, in the format PyTorch and
// Hugging Face tools load (`safetensors.torch.load_file`).
export { SafetensorsError } from './safetensors-error.js';
export type { Metadata } from './safetensors-header.js';
export { serialize, type TensorMap } from './safetensors-write.js';
export { deserialize, type Safetensors } from './safetensors-read.js';
export {
  saveFile,
  loadFile,
  readHeader,
  readMetadata,
  type TensorInfo,
  type SafetensorsHeader,
} from './safetensors-file.js';
