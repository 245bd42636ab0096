// An independent safetensors reader and writer in Python (struct + json +
// torch), with Debian's python3-torch, to check the files interoperate with
// PyTorch. The safetensors Python package is deliberately not used.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
/** bench/python, from this file's place in dist/test/serialization. */
export const PYTHON_HELPERS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'python');

/** A tensor as both sides describe it for comparison: int64 as decimal strings, floats as doubles. */
export interface TensorDescription {
  dtype: string;
  shape: number[];
  values: (number | string | boolean)[];
}

export interface FileDescription {
  tensors: Record<string, TensorDescription>;
  metadata: Record<string, string>;
}

const DESCRIBE = `
def describe(t):
    if t.dtype == torch.int64:
        values = [str(v) for v in t.reshape(-1).tolist()]
    elif t.dtype.is_floating_point:
        values = t.double().reshape(-1).tolist()
    else:
        values = t.reshape(-1).tolist()
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'values': values}
`;

// The reader is bench/python/safetensors_io.py, which the NCPN twin (bench/python/ncpn.py) uses too.
const READER = `
import json, sys
sys.path.insert(0, sys.argv[2])
import torch
from safetensors_io import loads, parse_header
${DESCRIBE}
with open(sys.argv[1], 'rb') as f:
    raw = f.read()
tensors, metadata = loads(raw)
out = {'tensors': {name: describe(t) for name, t in tensors.items()}, 'metadata': metadata, 'dataStart': parse_header(raw)[2]}
print(json.dumps(out, allow_nan=False))
`;

// Deliberately unlike ncml's writer: names in reverse order regardless of element size (so data is
// unaligned) and no header padding.
const WRITER = `
import json, struct, sys, torch
${DESCRIBE}
NAMES = {torch.float64: 'F64', torch.float32: 'F32', torch.bfloat16: 'BF16', torch.float16: 'F16',
         torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
         torch.uint8: 'U8', torch.bool: 'BOOL'}
torch.manual_seed(0)
tensors = {
    'u8': torch.tensor([0, 7, 255], dtype=torch.uint8),
    'scalar_f32': torch.tensor(-0.375),
    'i8': torch.tensor([-128, -1, 127], dtype=torch.int8),
    'f64': torch.randn(2, 3, dtype=torch.float64),
    'bool': torch.tensor([[True, False], [False, True]]),
    'i16': torch.tensor([-32768, 12345], dtype=torch.int16),
    'bf16': torch.randn(3, 2).bfloat16(),
    'i64': torch.tensor([-(2**63), 2**62 + 3, 2**63 - 1]),
    'f16': torch.randn(5).half(),
    'i32': torch.arange(12, dtype=torch.int32).reshape(3, 4).t(),
    'empty_f32': torch.zeros(2, 0, 3),
    'f32': torch.randn(2, 2, 3),
}
header = {'__metadata__': {'format': 'pt', 'note': 'written by hand'}}
chunks = []
offset = 0
for name in sorted(tensors, reverse=True):
    t = tensors[name]
    raw = bytes(t.contiguous().reshape(-1).view(torch.uint8).tolist())
    header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
    chunks.append(raw)
    offset += len(raw)
encoded = json.dumps(header).encode('utf-8')
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(encoded)) + encoded + b''.join(chunks))
print(json.dumps({'tensors': {k: describe(v) for k, v in tensors.items()}, 'metadata': header['__metadata__']}))
`;

/** What PyTorch reads from the safetensors file at path (plus where its data starts). */
export function torchRead(path: string): FileDescription & { dataStart: number } {
  return runTorch(READER, path, PYTHON_HELPERS) as FileDescription & { dataStart: number };
}

/** Has PyTorch write a safetensors file at path by hand; returns what it wrote. */
export function torchWrite(path: string): FileDescription {
  return runTorch(WRITER, path) as FileDescription;
}

function runTorch(script: string, ...args: string[]): unknown {
  assertTorchAvailable();
  const out = execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as unknown;
}

let torchChecked = false;

// Fail loudly rather than skip: an interop test that silently does not run proves nothing.
export function assertTorchAvailable(): void {
  if (torchChecked) return;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(
      `${PYTHON} cannot import torch, which the interoperability tests need; ` +
        `run the bootstrap (npm run bootstrap, as root) to install python3-torch. (${(e as Error).message})`,
    );
  }
  torchChecked = true;
}
