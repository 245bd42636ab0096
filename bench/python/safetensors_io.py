# A small safetensors reader and writer with struct + json + torch (the
# `safetensors` Python package is not installed, and an independent reader is
# what interoperability tests want anyway). Shared by the NCPN twin (ncpn.py)
# and the tests that check our files against PyTorch.
#
# Format: an 8-byte little-endian header length n, n bytes of JSON
# {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
# then the data buffer, each tensor's bytes in row-major order.
import json
import struct

import torch

DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "BF16": torch.bfloat16,
    "F16": torch.float16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}
METADATA_KEY = "__metadata__"


def parse_header(raw):
    """(tensor entries by name, metadata, offset of the data buffer) of a file's bytes."""
    if len(raw) < 8:
        raise ValueError(f"not a safetensors file: {len(raw)} bytes, expected at least 8")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"safetensors header of {n} bytes reaches past the end of the {len(raw)}-byte file")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop(METADATA_KEY, {})
    return header, metadata, 8 + n


def loads(raw):
    """(dict name -> tensor, metadata) from a file's bytes. Tensors own their memory."""
    entries, metadata, start = parse_header(raw)
    data = memoryview(raw)[start:]
    tensors = {}
    for name, info in entries.items():
        begin, end = info["data_offsets"]
        if info["dtype"] not in DTYPES:
            raise ValueError(f"tensor '{name}': unsupported dtype {info['dtype']}")
        dtype = DTYPES[info["dtype"]]
        if begin == end:  # frombuffer rejects empty buffers
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
        else:
            # bytearray copies the slice, so the tensor is writable and independent of raw
            flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
            tensors[name] = flat.reshape(info["shape"])
    return tensors, metadata


def load_file(path):
    with open(path, "rb") as f:
        return loads(f.read())


def _bytes_of(t):
    flat = t.detach().cpu().contiguous().reshape(-1)
    if flat.numel() == 0:
        return b""
    return flat.view(torch.uint8).numpy().tobytes()


def dumps(tensors, metadata=None):
    """A safetensors file's bytes: data 8-byte aligned, tensors in name order."""
    header = {}
    if metadata:
        header[METADATA_KEY] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    # widest elements first, so each tensor starts at a multiple of its element size
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    for name in order:
        t = tensors[name]
        if t.dtype not in NAMES:
            raise ValueError(f"tensor '{name}': dtype {t.dtype} has no safetensors name")
        raw = _bytes_of(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks)


def save_file(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata))
