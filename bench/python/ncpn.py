#!/usr/bin/python3
# NCPN in plain PyTorch: a twin of src/models/ncpn (PixelCNN++ + causal axial
# attention + noise/class conditioning) with the same module tree, so its
# state_dict has exactly our parameter names and shapes and our safetensors
# checkpoints load with load_state_dict(strict=True).
#
# Uses:
#   benchmark:  /usr/bin/python3 bench/python/ncpn.py --bench --config tiny --channels 1 --size 28 --batch 32
#                   --threads 2 [--variants fp32,cl,bf16cl] [--modes forward,train] [--steps 5]
#   forward:    /usr/bin/python3 bench/python/ncpn.py --forward --weights <checkpoint>/model.safetensors
#                   --input in.safetensors [--output out.safetensors] [--config cfg.json]   (float64, eval mode;
#                   the config defaults to the weights file's 'config' metadata, which our checkpoints carry)
#   describe:   /usr/bin/python3 bench/python/ncpn.py --describe --config paper --channels 3   (names, shapes, counts)
# Written for Debian's python3-torch (1.13); needs nothing else (see safetensors_io.py).
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_file, save_file  # noqa: E402

# ---------------------------------------------------------------------------
# Config: the same JSON object as src/models/ncpn/config.ts.

CONFIG_KEYS = (
    "channels",
    "nrResnet",
    "nrFilters",
    "nrLogisticMix",
    "dropout",
    "weightNorm",
    "attention",
    "attentionHeads",
    "noiseConditioning",
    "fourierDim",
    "fourierScale",
    "condDim",
    "numClasses",
)

_COMMON = {
    "dropout": 0,
    "weightNorm": True,
    "attentionHeads": 8,
    "noiseConditioning": True,
    "fourierDim": 64,
    "fourierScale": 16,
    "numClasses": None,
}
PRESETS = {
    "tiny": {**_COMMON, "nrResnet": 1, "nrFilters": 32, "nrLogisticMix": 5, "attention": False, "condDim": 128},
    "small": {**_COMMON, "nrResnet": 2, "nrFilters": 64, "nrLogisticMix": 5, "attention": False, "condDim": 256},
    "paper": {
        **_COMMON,
        "nrResnet": 5,
        "nrFilters": 160,
        "nrLogisticMix": 10,
        "attention": True,
        "dropout": 0.25,
        "condDim": 640,
    },
}


def parse_config(raw):
    """Checks a config dict the way config.ts does (every key present, no others) and returns a copy."""
    if not isinstance(raw, dict):
        raise ValueError(f"an NCPN config is a JSON object, got {type(raw).__name__}")
    missing = [k for k in CONFIG_KEYS if k not in raw]
    unknown = [k for k in raw if k not in CONFIG_KEYS]
    if missing or unknown:
        raise ValueError(f"invalid NCPN config: missing {missing}, unknown {unknown}")
    c = dict(raw)
    if c["channels"] not in (1, 3):
        raise ValueError(f"invalid NCPN config: channels must be 1 or 3, got {c['channels']}")
    if c["fourierDim"] % 2 != 0:
        raise ValueError(f"invalid NCPN config: fourierDim must be even, got {c['fourierDim']}")
    if c["attention"] and c["nrFilters"] % c["attentionHeads"] != 0:
        raise ValueError(
            f"invalid NCPN config: nrFilters {c['nrFilters']} must be divisible by attentionHeads {c['attentionHeads']}"
        )
    return c


def preset_config(name, channels, overrides=None):
    if name not in PRESETS:
        raise ValueError(f"unknown preset '{name}'; expected one of {', '.join(PRESETS)}")
    return parse_config({**PRESETS[name], "channels": channels, **(overrides or {})})


def output_channels(config):
    return (3 if config["channels"] == 1 else 10) * config["nrLogisticMix"]


# ---------------------------------------------------------------------------
# Layers. Weight normalization is torch.nn.utils.weight_norm, which names the
# parameters weight_g / weight_v and computes w = torch._weight_norm(v, g, dim)
# before every forward, as our WeightedLayer does. dim is the output-channel
# dimension: 0 for Conv2d and Linear, 1 for ConvTranspose2d.


def weighted(layer, weight_norm, dim=0):
    return nn.utils.weight_norm(layer, name="weight", dim=dim) if weight_norm else layer


def concat_elu(x):
    return F.elu(torch.cat([x, x.neg()], 1))


def down_shift(x):
    """Moves the map down one row: row 0 becomes zeros, the last row falls off."""
    return F.pad(x.narrow(2, 0, x.shape[2] - 1), (0, 0, 1, 0))


def right_shift(x):
    """Moves the map right one column: column 0 becomes zeros, the last column falls off."""
    return F.pad(x.narrow(3, 0, x.shape[3] - 1), (1, 0, 0, 0))


class ShiftedConv2d(nn.Module):
    """A conv padded only above: 'down' pads (kw-1)/2 columns on both sides and kh-1 rows on top
    (sees the rows above); 'down-right' pads kw-1 columns on the left and kh-1 rows on top
    (sees above and to the left)."""

    def __init__(self, shift, in_channels, out_channels, filter_size, stride=1, weight_norm=True, shift_output=False):
        super().__init__()
        self.shift = shift
        self.filter_size = tuple(filter_size)
        self.shift_output = shift_output
        self.conv = weighted(nn.Conv2d(in_channels, out_channels, self.filter_size, stride=stride), weight_norm)

    def forward(self, x):
        kh, kw = self.filter_size
        down = self.shift == "down"
        padding = ((kw - 1) // 2, (kw - 1) // 2, kh - 1, 0) if down else (kw - 1, 0, kh - 1, 0)
        y = self.conv(F.pad(x, padding))
        if not self.shift_output:
            return y
        return down_shift(y) if down else right_shift(y)


class DownShiftedConv2d(ShiftedConv2d):
    def __init__(self, in_channels, out_channels, filter_size=(2, 3), **kw):
        super().__init__("down", in_channels, out_channels, filter_size, **kw)


class DownRightShiftedConv2d(ShiftedConv2d):
    def __init__(self, in_channels, out_channels, filter_size=(2, 2), **kw):
        super().__init__("down-right", in_channels, out_channels, filter_size, **kw)


class DownShiftedConvTranspose2d(nn.Module):
    """Stride-2 upsampling; crops the rows spread downwards and the columns spread sideways, then to target."""

    def __init__(self, in_channels, out_channels, filter_size=(2, 3), weight_norm=True):
        super().__init__()
        self.filter_size = tuple(filter_size)
        deconv = nn.ConvTranspose2d(in_channels, out_channels, self.filter_size, stride=2, output_padding=1)
        self.deconv = weighted(deconv, weight_norm, dim=1)

    def forward(self, x, target):
        kh, kw = self.filter_size
        y = self.deconv(x)
        side = (kw - 1) // 2
        return y.narrow(2, 0, min(target[0], y.shape[2] - kh + 1)).narrow(3, side, target[1])


class DownRightShiftedConvTranspose2d(nn.Module):
    def __init__(self, in_channels, out_channels, filter_size=(2, 2), weight_norm=True):
        super().__init__()
        self.filter_size = tuple(filter_size)
        deconv = nn.ConvTranspose2d(in_channels, out_channels, self.filter_size, stride=2, output_padding=1)
        self.deconv = weighted(deconv, weight_norm, dim=1)

    def forward(self, x, target):
        return self.deconv(x).narrow(2, 0, target[0]).narrow(3, 0, target[1])


class GatedResnet(nn.Module):
    """c1 = conv(concat_elu(x)) [+ nin(concat_elu(skip))]; c2 = conv(dropout(concat_elu(c1))) [+ W h];
    out = x + a * sigmoid(b) with (a, b) = split(c2)."""

    def __init__(self, filters, shift, skip_inputs, dropout, weight_norm, cond_dim):
        super().__init__()
        shifted = DownShiftedConv2d if shift == "down" else DownRightShiftedConv2d
        self.convIn = shifted(2 * filters, filters, weight_norm=weight_norm)
        self.ninSkip = (
            weighted(nn.Conv2d(2 * skip_inputs * filters, filters, 1), weight_norm) if skip_inputs > 0 else None
        )
        self.convOut = shifted(2 * filters, 2 * filters, weight_norm=weight_norm)
        self.condProj = nn.Linear(cond_dim, 2 * filters) if cond_dim > 0 else None
        self.dropout_p = dropout

    def forward(self, x, skip, h):
        c1 = self.convIn(concat_elu(x))
        if self.ninSkip is not None and skip is not None:
            c1 = c1 + self.ninSkip(concat_elu(skip))
        c2 = self.convOut(F.dropout(concat_elu(c1), self.dropout_p, self.training and self.dropout_p > 0))
        if self.condProj is not None and h is not None:
            c2 = c2 + self.condProj(h).unsqueeze(2).unsqueeze(3)
        a, b = c2.chunk(2, 1)
        return x + a * torch.sigmoid(b)


_future_masks = {}


def future_mask(n):
    """Strictly upper triangular (key index > query index), shared by all layers."""
    if n not in _future_masks:
        _future_masks[n] = torch.ones(n, n, dtype=torch.bool).triu(1)
    return _future_masks[n]


class AxialAttention(nn.Module):
    """Causal axial attention: row and column attention summed, projected, and added back as (x + a) / sqrt(2).
    The u stream's rows are unmasked (it sees only rows above anyway); columns, and the ul stream's rows, are causal."""

    def __init__(self, channels, heads, kind):
        super().__init__()
        if channels % heads != 0:
            raise ValueError(f"attention channels {channels} must divide into {heads} heads")
        self.heads = heads
        self.kind = kind
        # a LayerNorm's affine parameters, named as ours (norm_weight / norm_bias, not norm.weight)
        self.norm_weight = nn.Parameter(torch.ones(channels))
        self.norm_bias = nn.Parameter(torch.zeros(channels))
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)
        with torch.no_grad():  # start as the identity path (x + 0) / sqrt(2)
            self.out.weight.zero_()
            self.out.bias.zero_()

    def forward(self, x):
        B, C, H, W = x.shape
        nh = self.heads
        d = C // nh
        xs = F.layer_norm(x.permute(0, 2, 3, 1).to(self.norm_weight.dtype), [C], self.norm_weight, self.norm_bias)
        q, k, v = self.qkv(xs).view(B, H, W, 3, nh, d).unbind(3)
        # rows: sequences along W for each (b, i): [B, H, nh, W, d]
        rows = (q.permute(0, 1, 3, 2, 4), k.permute(0, 1, 3, 2, 4), v.permute(0, 1, 3, 2, 4))
        row = self.attend(*rows, self.kind == "ul", d)
        # columns: sequences along H for each (b, j): [B, W, nh, H, d]
        col = self.attend(q.permute(0, 2, 3, 1, 4), k.permute(0, 2, 3, 1, 4), v.permute(0, 2, 3, 1, 4), True, d)
        merged = (row.permute(0, 1, 3, 2, 4) + col.permute(0, 3, 1, 2, 4)).reshape(B, H, W, C)
        return (x + self.out(merged).permute(0, 3, 1, 2)) * math.sqrt(0.5)

    @staticmethod
    def attend(q, k, v, causal, d):
        scores = q.matmul(k.transpose(-1, -2)) * (1 / math.sqrt(d))
        if causal:
            scores = scores.masked_fill(future_mask(scores.shape[-1]).to(scores.device), -math.inf)
        return F.softmax(scores, -1).matmul(v)


class GaussianFourierProjection(nn.Module):
    """[sin(2 pi t W), cos(2 pi t W)] with W ~ N(0, scale^2) fixed (a buffer)."""

    def __init__(self, embed_dim, scale=16.0):
        super().__init__()
        self.register_buffer("W", torch.randn(embed_dim // 2) * scale)

    def forward(self, t):
        angles = t.unsqueeze(1).mul(self.W.unsqueeze(0)).mul_(2 * math.pi)
        return torch.cat([angles.sin(), angles.cos()], 1)


class NoiseEmbedding(nn.Module):
    """t -> Fourier features -> Linear -> SiLU -> Linear."""

    def __init__(self, fourier_dim, dim, scale):
        super().__init__()
        self.fourier = GaussianFourierProjection(fourier_dim, scale)
        self.fc1 = nn.Linear(fourier_dim, dim)
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, t):
        return self.fc2(F.silu(self.fc1(self.fourier(t))))


class StreamBlocks(nn.Module):
    """One scale's residual blocks for both streams, each optionally followed by attention."""

    def __init__(self, c, blocks, u_skips, ul_skips, cond_dim):
        super().__init__()
        common = dict(filters=c["nrFilters"], dropout=c["dropout"], weight_norm=c["weightNorm"], cond_dim=cond_dim)
        self.u = nn.ModuleList(GatedResnet(shift="down", skip_inputs=u_skips, **common) for _ in range(blocks))
        self.ul = nn.ModuleList(GatedResnet(shift="down-right", skip_inputs=ul_skips, **common) for _ in range(blocks))
        n_attn = blocks if c["attention"] else 0
        self.uAttn = nn.ModuleList(AxialAttention(c["nrFilters"], c["attentionHeads"], "u") for _ in range(n_attn))
        self.ulAttn = nn.ModuleList(AxialAttention(c["nrFilters"], c["attentionHeads"], "ul") for _ in range(n_attn))

    def step(self, i, u, ul, u_skip, ul_skip, h):
        u = self.u[i](u, u_skip, h)
        if len(self.uAttn):
            u = self.uAttn[i](u)
        ul_in = u if ul_skip is None else torch.cat([u, ul_skip], 1)
        ul = self.ul[i](ul, ul_in, h)
        if len(self.ulAttn):
            ul = self.ulAttn[i](ul)
        return u, ul


class NCPN(nn.Module):
    """x [B, C, H, W] (clean in [-1, 1], or noisy), t [B], y [B] int64 -> mixture parameters [B, P, H, W]."""

    def __init__(self, config):
        super().__init__()
        c = parse_config(config)
        self.config = c
        Fn = c["nrFilters"]
        wn = c["weightNorm"]
        conditioned = c["noiseConditioning"] or c["numClasses"] is not None
        cond_dim = c["condDim"] if conditioned else 0
        self.noiseEmbedding = (
            NoiseEmbedding(c["fourierDim"], c["condDim"], c["fourierScale"]) if c["noiseConditioning"] else None
        )
        self.classEmbedding = nn.Embedding(c["numClasses"], c["condDim"]) if c["numClasses"] is not None else None
        in_ch = c["channels"] + 1  # + a constant ones channel, which tells the convs where the padding is
        self.uInit = DownShiftedConv2d(in_ch, Fn, filter_size=(2, 3), shift_output=True, weight_norm=wn)
        self.ulInitDown = DownShiftedConv2d(in_ch, Fn, filter_size=(1, 3), shift_output=True, weight_norm=wn)
        self.ulInitRight = DownRightShiftedConv2d(in_ch, Fn, filter_size=(2, 1), shift_output=True, weight_norm=wn)
        self.up = nn.ModuleList(StreamBlocks(c, c["nrResnet"], 0, 1, cond_dim) for _ in range(3))
        self.downsizeU = nn.ModuleList(DownShiftedConv2d(Fn, Fn, stride=2, weight_norm=wn) for _ in range(2))
        self.downsizeUl = nn.ModuleList(DownRightShiftedConv2d(Fn, Fn, stride=2, weight_norm=wn) for _ in range(2))
        down_blocks = [c["nrResnet"], c["nrResnet"] + 1, c["nrResnet"] + 1]
        self.down = nn.ModuleList(StreamBlocks(c, n, 1, 2, cond_dim) for n in down_blocks)
        self.upsizeU = nn.ModuleList(DownShiftedConvTranspose2d(Fn, Fn, weight_norm=wn) for _ in range(2))
        self.upsizeUl = nn.ModuleList(DownRightShiftedConvTranspose2d(Fn, Fn, weight_norm=wn) for _ in range(2))
        self.ninOut = weighted(nn.Conv2d(Fn, output_channels(c), 1), wn)
        # as our NCPN.channelsLast: run the convolutions on channels_last tensors
        self.channels_last = False

    def conditioning(self, t, y):
        h = None
        if self.noiseEmbedding is not None:
            if t is None:
                raise TypeError("this NCPN is noise-conditional: pass the noise level t ([B], 0 for clean data)")
            h = self.noiseEmbedding(t)
        if self.classEmbedding is not None:
            if y is None:
                raise TypeError("this NCPN is class-conditional: pass the labels y ([B] int64)")
            e = self.classEmbedding(y)
            h = e if h is None else h + e
        return None if h is None else F.silu(h)

    def forward(self, x, t=None, y=None):
        c = self.config
        if x.dim() != 4 or x.shape[1] != c["channels"]:
            raise ValueError(f"NCPN expects images [B, {c['channels']}, H, W], got {list(x.shape)}")
        h = self.conditioning(t, y)
        B, _, H, W = x.shape
        xin = torch.cat([x, torch.ones(B, 1, H, W, dtype=x.dtype, device=x.device)], 1)
        if self.channels_last:
            xin = xin.contiguous(memory_format=torch.channels_last)

        u_skips = [self.uInit(xin)]
        ul_skips = [self.ulInitDown(xin) + self.ulInitRight(xin)]
        for s in range(3):
            for i in range(c["nrResnet"]):
                u, ul = self.up[s].step(i, u_skips[-1], ul_skips[-1], None, None, h)
                u_skips.append(u)
                ul_skips.append(ul)
            if s < 2:
                u_skips.append(self.downsizeU[s](u_skips[-1]))
                ul_skips.append(self.downsizeUl[s](ul_skips[-1]))

        u = u_skips.pop()
        ul = ul_skips.pop()
        for s in range(3):
            blocks = self.down[s]
            for i in range(len(blocks.u)):
                u, ul = blocks.step(i, u, ul, u_skips.pop(), ul_skips.pop(), h)
            if s < 2:
                target = (u_skips[-1].shape[2], u_skips[-1].shape[3])
                u = self.upsizeU[s](u, target)
                ul = self.upsizeUl[s](ul, target)
        out = self.ninOut(F.elu(ul))
        return (out if out.dtype in (torch.float32, torch.float64) else out.float()).contiguous()


# ---------------------------------------------------------------------------
# Library entry points (also used by test/models/ncpn-pytorch-parity.test.ts).


def describe(config):
    """Parameter and buffer names and shapes, and the parameter count, of a model built from config."""
    model = NCPN(config)
    state = {name: list(t.shape) for name, t in model.state_dict().items()}
    buffers = sorted(name for name, _ in model.named_buffers())
    count = sum(p.numel() for p in model.parameters())
    return {"state": state, "buffers": buffers, "parameters": count}


def forward_files(config, weights_path, input_path, output_path=None):
    """Loads our safetensors weights (strict), runs x, t, y from input_path in float64 eval mode; returns the output
    (and writes it to output_path as 'out' when given). config None: the weights file's 'config' metadata."""
    weights, metadata = load_file(weights_path)
    if config is None:
        if "config" not in metadata:
            raise ValueError(f"{weights_path} has no 'config' metadata; pass the config")
        config = json.loads(metadata["config"])
    model = NCPN(config).double().eval()
    model.load_state_dict(weights, strict=True)
    inputs, _ = load_file(input_path)
    unknown = sorted(set(inputs) - {"x", "t", "y"})
    if unknown or "x" not in inputs:
        raise ValueError(f"{input_path}: expected tensors x and optionally t and y, found {sorted(inputs)}")
    x = inputs["x"].double()
    t = inputs["t"].double() if "t" in inputs else None
    y = inputs["y"].long() if "y" in inputs else None
    with torch.no_grad():
        out = model(x, t, y)
    if output_path is not None:
        save_file(output_path, {"out": out})
    return out


# ---------------------------------------------------------------------------
# Benchmark: one training step as our benchmark times it.

VARIANTS = {
    # name: (memory format, bf16 autocast)
    "fp32": (torch.contiguous_format, False),
    "cl": (torch.channels_last, False),
    "bf16cl": (torch.channels_last, True),
}
VARIANT_NOTES = {
    "fp32": "float32, NCHW",
    "cl": "float32, model and input channels_last",
    "bf16cl": "torch.autocast('cpu', bfloat16), model and input channels_last",
}
LOSS = "out.square().mean() (mean of squares of the mixture parameters, not the mixture likelihood)"


def time_steps(fn, warmup, steps, batch):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    ordered = sorted(samples)
    median = ordered[len(ordered) // 2]
    return {"median_s": median, "images_per_s": batch / median, "min_s": ordered[0], "samples_s": samples}


def bench_variant(config, variant, batch, size, modes, warmup, steps, seed, lr):
    memory_format, bf16 = VARIANTS[variant]
    torch.manual_seed(seed)
    model = NCPN(config).to(memory_format=memory_format)
    model.channels_last = memory_format == torch.channels_last
    H, W = size
    x = (torch.rand(batch, config["channels"], H, W) * 2 - 1).contiguous(memory_format=memory_format)
    t = torch.rand(batch) if config["noiseConditioning"] else None
    y = torch.randint(0, config["numClasses"], (batch,)) if config["numClasses"] is not None else None

    def run():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return model(x, t, y)

    result = {}
    if "forward" in modes:
        model.eval()

        def forward():
            with torch.no_grad():
                run()

        result["forward"] = time_steps(forward, warmup, steps, batch)
    if "train" in modes:
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=lr)

        def train_step():
            opt.zero_grad(set_to_none=True)
            loss = run().square().mean()  # the model returns float32 under autocast; the loss is taken outside it
            loss.backward()
            opt.step()

        result["train"] = time_steps(train_step, warmup, steps, batch)
    return sum(p.numel() for p in model.parameters()), result


# ---------------------------------------------------------------------------
# CLI


def load_config_arg(value, channels, override):
    """--config: a preset name, a JSON object, or a path to a JSON file."""
    if value in PRESETS:
        config = preset_config(value, channels if channels is not None else 1)
    else:
        text = value
        if not value.lstrip().startswith("{"):
            if not os.path.isfile(value):
                raise ValueError(f"'{value}' is neither a preset ({', '.join(PRESETS)}), a JSON object, nor a file")
            with open(value, encoding="utf-8") as f:
                text = f.read()
        config = json.loads(text)
        if channels is not None:
            config["channels"] = channels
    if override:
        config.update(json.loads(override))
    return parse_config(config)


def parse_size(text):
    parts = text.lower().split("x")
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"size is N or HxW, got '{text}'")
    return int(parts[0]), int(parts[1])


def main(argv=None):
    p = argparse.ArgumentParser(
        description="NCPN in PyTorch, parameter-for-parameter like ncml's: benchmark, reference forward, description.",
    )
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--bench", action="store_true", help="time forward passes and training steps; prints JSON")
    mode.add_argument("--forward", action="store_true", help="run saved weights on saved inputs in float64")
    mode.add_argument("--describe", action="store_true", help="print parameter names, shapes and count as JSON")
    p.add_argument(
        "--config",
        help="preset name (tiny, small, paper), a JSON object, or a JSON file; "
        "--forward defaults to the weights file's 'config' metadata",
    )
    p.add_argument("--channels", type=int, choices=(1, 3), help="image channels (presets default to 1)")
    p.add_argument("--override", help='JSON object of config fields to override, e.g. \'{"attention": true}\'')
    # --bench
    p.add_argument("--size", type=parse_size, default=(28, 28), help="image size N or HxW (default 28)")
    p.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    p.add_argument("--threads", type=int, help="torch.set_num_threads (default: leave PyTorch's)")
    p.add_argument(
        "--variants",
        default="fp32,cl,bf16cl",
        help="comma-separated, of fp32 (NCHW), cl (channels_last), bf16cl (bf16 autocast + channels_last); default all",
    )
    p.add_argument(
        "--modes",
        default="forward,train",
        help="comma-separated, of forward (eval, no_grad) and train (forward, loss, backward, Adam step); default both",
    )
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--steps", type=int, default=5, help="timed steps; the median is reported (default 5)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--seed", type=int, default=0, help="torch.manual_seed for weights and inputs (default 0)")
    # --forward
    p.add_argument("--weights", help="safetensors file of the state dict (e.g. from ncml's model.stateDict())")
    p.add_argument("--input", help="safetensors file with x [B, C, H, W], t [B] (if noise-conditional), y [B]")
    p.add_argument("--output", help="safetensors file to write 'out' to (default: print JSON)")
    a = p.parse_args(argv)

    config = None
    if a.config is not None:
        try:
            config = load_config_arg(a.config, a.channels, a.override)
        except (ValueError, OSError) as e:
            p.error(f"--config: {e}")
    elif not a.forward:
        p.error("--config is required (a preset name, a JSON object or a JSON file)")
    if a.describe:
        print(json.dumps({"config": config, **describe(config)}))
    elif a.forward:
        if not a.weights or not a.input:
            p.error("--forward needs --weights and --input")
        try:
            out = forward_files(config, a.weights, a.input, a.output)
        except ValueError as e:
            p.error(str(e))
        if a.output is None:
            print(json.dumps({"shape": list(out.shape), "values": out.reshape(-1).tolist()}))
    else:
        variants = [v for v in a.variants.split(",") if v]
        modes = [m for m in a.modes.split(",") if m]
        for v in variants:
            if v not in VARIANTS:
                p.error(f"unknown variant '{v}'; expected some of {', '.join(VARIANTS)}")
        for m in modes:
            if m not in ("forward", "train"):
                p.error(f"unknown mode '{m}'; expected forward and/or train")
        if a.threads is not None:
            torch.set_num_threads(a.threads)
        results = {}
        parameters = None
        for v in variants:
            parameters, results[v] = bench_variant(config, v, a.batch, a.size, modes, a.warmup, a.steps, a.seed, a.lr)
        report = {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "config": config,
            "parameters": parameters,
            "batch": a.batch,
            "size": list(a.size),
            "warmup": a.warmup,
            "steps": a.steps,
            "loss": LOSS,
            "forward": "model.eval(), torch.no_grad()",
            "train": "model.train(); zero_grad(set_to_none=True); forward; loss; backward; Adam step",
            "variants": {v: VARIANT_NOTES[v] for v in variants},
            "results": results,
        }
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
