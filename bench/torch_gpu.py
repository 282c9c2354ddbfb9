#!/usr/bin/env python3
"""PyTorch's side of the GPU figures (bench/GpuBench.cpp): the same
workloads in PyTorch eager and torch.compile, timed to the GPU's end, each
as microseconds per step and as a percentage of the device-to-device copy
bandwidth measured in the same run. Run on the GPU machine beside
`ej-bench --benchmark_filter=Gpu` (scripts/device does both)."""
import sys
import time

import torch
import torch.nn.functional as F


def timed(step, repeats=50):
    """Median microseconds per step, to the GPU's end."""
    for _ in range(5):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    times.sort()
    return 1e6 * times[len(times) // 2]


def main():
    if not torch.cuda.is_available():
        print("torch_gpu.py: no CUDA device")
        return 0
    dev = torch.device("cuda:0")
    print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    rows = []
    n = 1 << 24
    x = torch.rand(n, device=dev)
    y = torch.empty_like(x)
    copy_us = timed(lambda: y.copy_(x))
    copy_bw = 2 * n * 4 / copy_us  # bytes per microsecond
    rows.append(("copy 2^24 float32 (the floor)", copy_us, None, 2 * n * 4))

    a = torch.ones(1, device=dev)
    b = torch.full((1,), 0.5, device=dev)

    def adds():
        t = a
        for _ in range(100):
            t = t + b
        return t

    rows.append(("eager add, one element, per op", timed(adds) / 100, None, 0))

    def chain(x, y):
        return torch.tanh(torch.exp(((x * y + 1) * x - y) / (y + 2)))

    cx = torch.rand(n, device=dev) * 2 - 1
    cy = torch.rand(n, device=dev)
    cchain = torch.compile(chain)
    rows.append(("8-op chain 2^24", timed(lambda: chain(cx, cy)),
                 timed(lambda: cchain(cx, cy)), 3 * n * 4))

    s = torch.randn(4096, 4096, device=dev)
    softmax = lambda t: torch.softmax(t, dim=-1)
    csoftmax = torch.compile(softmax)
    rows.append(("softmax 4096x4096", timed(lambda: softmax(s)),
                 timed(lambda: csoftmax(s)), 2 * s.numel() * 4))

    g = torch.randn(4096, device=dev)
    beta = torch.randn(4096, device=dev)
    ln = lambda t: F.layer_norm(t, (4096,), g, beta, 1e-5)
    cln = torch.compile(ln)
    rows.append(("layernorm 4096x4096", timed(lambda: ln(s)),
                 timed(lambda: cln(s)), 2 * s.numel() * 4))

    params = [torch.randn(1 << 21, device=dev, requires_grad=True)
              for _ in range(10)]
    for p in params:
        p.grad = torch.randn_like(p) * 0.01
    adam = torch.optim.Adam(params, lr=1e-3)

    @torch.compile
    def compiled_adam_step():
        adam.step()

    rows.append(("Adam step, 10 x 2^21", timed(adam.step),
                 timed(compiled_adam_step), 7 * 10 * (1 << 21) * 4))

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = torch.rand(128, 784, device=dev)
    labels = torch.randint(0, 10, (128,), device=dev)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        opt.step()
        return loss

    compiled_train_step = torch.compile(train_step)
    rows.append(("MLP training step (784-512-512-10, batch 128)",
                 timed(train_step), timed(compiled_train_step), 0))

    print(f"{'workload':48} {'eager us':>10} {'compile us':>11} "
          f"{'eager %bw':>9} {'compile %bw':>11}")
    for name, eager, compiled, moved in rows:
        pct = lambda us: (f"{100 * moved / us / copy_bw:8.0f}%"
                          if us and moved else "")
        comp = f"{compiled:11.1f}" if compiled else ""
        print(f"{name:48} {eager:10.1f} {comp:>11} {pct(eager):>9} "
              f"{pct(compiled):>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
