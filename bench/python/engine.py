# The engine benchmark's workloads in PyTorch (same libtorch), timed the same way
# as bench/harness.ts: warm-up, then the median of repeats. Prints JSON.
import json, sys, time
import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)


def timeit(fn, warmup=3, repeats=5, min_seconds=0.2):
    for _ in range(warmup):
        fn()
    inner = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        if time.perf_counter() - t0 >= min_seconds / 4 or inner >= 1 << 24:
            break
        inner *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    samples.sort()
    return samples[len(samples) // 2]


out = {}
one = torch.ones(1)
out["tiny_add"] = timeit(lambda: one + one)

def conv_step(x, w):
    def run():
        w.grad = None
        y = torch.nn.functional.conv2d(x, w, padding=1)
        y.backward(torch.ones_like(y))
    return run

for name, dtype, fmt in [("fp32_nchw", torch.float32, torch.contiguous_format),
                         ("fp32_cl", torch.float32, torch.channels_last),
                         ("bf16_cl", torch.bfloat16, torch.channels_last)]:
    x = torch.randn(32, 128, 32, 32, dtype=dtype).contiguous(memory_format=fmt)
    w = torch.randn(128, 128, 3, 3, dtype=dtype).contiguous(memory_format=fmt).requires_grad_()
    out["conv_fwd_" + name] = timeit(lambda: torch.nn.functional.conv2d(x, w, padding=1))
    out["conv_fwdbwd_" + name] = timeit(conv_step(x, w))

a = torch.randn(2048, 2048)
b = torch.randn(2048, 2048)
out["matmul_fp32"] = timeit(lambda: a @ b)
ab, bb = a.bfloat16(), b.bfloat16()
out["matmul_bf16"] = timeit(lambda: ab @ bb)
print(json.dumps(out))
