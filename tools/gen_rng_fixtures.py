#!/usr/bin/python3
"""Writes test/fixtures/rng.json: reference random numbers from PyTorch 1.13 (CPU) and CPython.

Run with Debian's PyTorch 1.13.1 (apt-get install python3-torch) and the system interpreter:

    /usr/bin/python3 tools/gen_rng_fixtures.py

The output is deterministic (no timestamps). float32 values are stored as uint32 bit patterns,
so the TypeScript tests compare bit for bit; large tensors are stored as the sha256 of their
little-endian float32 bytes plus a few sampled bit patterns. Integers that may exceed 2^53 are
stored as decimal strings. The tests never need PyTorch, only this JSON.
"""
import hashlib
import json
import os
import random
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "rng.json")
NAMES = os.path.join(ROOT, "data", "names.txt")
FULL_LIMIT = 300  # tensors up to this many elements are stored in full


def bits(t):
    a = t.detach().contiguous().to(torch.float32).numpy().reshape(-1)
    return [int(x) for x in a.view(np.uint32)]


def sha(t):
    return hashlib.sha256(t.detach().contiguous().to(torch.float32).numpy().tobytes()).hexdigest()


def f32_record(t):
    n = t.numel()
    if n <= FULL_LIMIT:
        return {"bits": bits(t)}
    b = bits(t)
    picks = sorted(set([0, 1, 2, 15, 16, 17, n // 2, n - 17, n - 16, n - 2, n - 1]))
    return {"sha256": sha(t), "samples": {str(i): b[i] for i in picks}}


def gen(seed):
    return torch.Generator().manual_seed(seed)


def shape_list(s):
    return list(s) if isinstance(s, tuple) else [s]


def randn_cases():
    seeds = [2147483647, 0, 42, 2**32 + 5, -1]
    sizes = [1, 5, 15, 16, 17, 27, 270, (27, 10), (30, 200), 6000, 5400, (200, 27)]
    cases = []
    for seed in seeds:
        for size in sizes:
            t = torch.randn(size, generator=gen(seed))
            rec = {"seed": str(seed), "shape": shape_list(size)}
            rec.update(f32_record(t))
            cases.append(rec)
    # extra sizes around block boundaries
    for size in [2, 3, 31, 32, 33, 47, 48, 49, 100]:
        t = torch.randn(size, generator=gen(2147483647))
        rec = {"seed": "2147483647", "shape": [size]}
        rec.update(f32_record(t))
        cases.append(rec)
    return cases


def big_randn():
    g = gen(2147483647)
    a = torch.randn((1000, 1), generator=g)
    b = torch.randn((1000, 1000), generator=g)
    bb = bits(b)
    g2 = gen(2147483647)
    c = torch.randn((1000, 1000), generator=g2)
    cb = bits(c)
    picks = [0, 1, 7, 8, 999, 123456, 500000, 999983, 999999]
    return {
        "after_1000x1": {
            "std_a": float(a.std()), "std_b": float(b.std()),
            "a_sha256": sha(a), "b_sha256": sha(b), "b_samples": {str(i): bb[i] for i in picks},
        },
        "fresh": {"seed": "2147483647", "sha256": sha(c), "samples": {str(i): cb[i] for i in picks}},
    }


def sequence_case(seed):
    """Mixed calls on one generator: exercises the small-size double cache across other calls."""
    g = gen(seed)
    ops = []

    def rec_f32(op, t, **kw):
        r = {"op": op}
        r.update(kw)
        r.update(f32_record(t))
        ops.append(r)

    rec_f32("randn", torch.randn(5, generator=g), n=5)
    rec_f32("randn", torch.randn(3, generator=g), n=3)
    rec_f32("randn", torch.randn(20, generator=g), n=20)
    rec_f32("randn", torch.randn(7, generator=g), n=7)
    rec_f32("rand", torch.rand(5, generator=g), n=5)
    ops.append({"op": "randint", "low": 0, "high": 100, "n": 6,
                "values": torch.randint(0, 100, (6,), generator=g).tolist()})
    rec_f32("randn", torch.randn(1, generator=g), n=1)
    rec_f32("exponential", torch.empty(3).exponential_(1, generator=g), n=3, lambd=1.0)
    rec_f32("randn", torch.randn(1, generator=g), n=1)
    rec_f32("randn", torch.randn(1, generator=g), n=1)
    rec_f32("normal", torch.empty(4).normal_(2.5, 0.75, generator=g), n=4, mean=2.5, std=0.75)
    rec_f32("normal", torch.empty(33).normal_(-1.25, 3.0, generator=g), n=33, mean=-1.25, std=3.0)
    rec_f32("normal", torch.empty(5).normal_(0.1, 0.3, generator=g), n=5, mean=0.1, std=0.3)
    rec_f32("randn", torch.randn(16, generator=g), n=16)
    rec_f32("randn", torch.randn(2, generator=g), n=2)
    return {"seed": str(seed), "ops": ops}


def randint_cases():
    out = []
    g = gen(2147483647)
    # the notebook: four randn, then minibatches
    torch.randn((27, 10), generator=g)
    torch.randn((30, 200), generator=g)
    torch.randn((200, 27), generator=g)
    torch.randn(27, generator=g)
    steps = [torch.randint(0, 182625, (32,), generator=g).tolist() for _ in range(5)]
    out.append({"name": "notebook_minibatches", "seed": "2147483647", "steps": steps})
    specs = [
        (0, 182625, 32), (-5, 5, 20), (-(2**40), 2**40, 10), (0, 2**32, 10), (0, 2**32 - 1, 10),
        (-(2**31), 2**31, 10), (-(2**31), 2**31 - 1, 10), (7, 8, 5), (-1000000, -999990, 10),
        (0, 2**53, 6), (10**15, 10**15 + 3 * 2**32, 6),
    ]
    for seed in [2147483647, 12345]:
        g = gen(seed)
        for low, high, n in specs:
            vals = torch.randint(low, high, (n,), generator=g).tolist()
            out.append({"name": "chain", "seed": str(seed), "low": low, "high": high, "n": n,
                        "values": [str(v) for v in vals]})
    return out


def rand_cases():
    out = []
    for seed in [2147483647, 0, -1]:
        g = gen(seed)
        for n in [1, 7, 16, 100]:
            r = {"seed": str(seed), "n": n, "from": 0.0, "to": 1.0}
            r.update(f32_record(torch.rand(n, generator=g)))
            out.append(r)
        for lo, hi in [(-2.0, 3.0), (0.1, 0.7), (-1e-3, 1e5), (5.0, 5.0)]:
            r = {"seed": str(seed), "n": 50, "from": lo, "to": hi}
            r.update(f32_record(torch.empty(50).uniform_(lo, hi, generator=g)))
            out.append(r)
    return out


def exponential_cases():
    out = []
    g = gen(2147483647)
    for lambd, n in [(1.0, 10), (1.0, 27), (2.5, 40), (0.1, 20), (1.0, 300)]:
        r = {"seed": "2147483647", "lambd": lambd, "n": n}
        r.update(f32_record(torch.empty(n).exponential_(lambd, generator=g)))
        out.append(r)
    return out


def multinomial_cases():
    out = []
    base = gen(999)
    p27 = torch.softmax(torch.randn(27, generator=base) * 2, dim=0)
    p2d = torch.softmax(torch.randn((4, 27), generator=base) * 1.5, dim=1)
    praw = torch.rand((3, 10), generator=base) * 5  # unnormalised rows
    ptie = torch.tensor([0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0])
    inputs = {"p27": p27, "p2d": p2d, "praw": praw, "ptie": ptie}
    calls = [
        ("p27", 1, False), ("p27", 1, False), ("p27", 1, False), ("p2d", 1, False), ("p27", 5, False),
        ("p2d", 3, False), ("p27", 1, True), ("p27", 10, True), ("p2d", 4, True), ("praw", 2, True),
        ("praw", 10, False), ("p2d", 27, False), ("ptie", 2, False), ("p27", 1, False),
    ]
    g = gen(2147483647)
    seq = []
    for name, ns, repl in calls:
        t = inputs[name]
        res = torch.multinomial(t, num_samples=ns, replacement=repl, generator=g)
        seq.append({"input": name, "num_samples": ns, "replacement": repl,
                    "values": res.reshape(-1).tolist()})
    # many single draws on the notebook's 27-wide rows
    g = gen(2147483647 + 10)
    many = [torch.multinomial(p27, num_samples=1, generator=g).item() for _ in range(200)]
    # tie behaviour of topk when samples exceed the non-zero categories (separate, not asserted strictly)
    g = gen(5)
    ties = [torch.multinomial(ptie, num_samples=7, replacement=False, generator=g).tolist() for _ in range(5)]
    # tie order on bigger rows: partial_sort path (k*64 <= size) and nth_element + introsort (k-1 > 16)
    p300 = torch.zeros(300)
    p300[[17, 123, 250]] = torch.tensor([0.5, 1.0, 2.0])
    p60 = torch.zeros((2, 60))
    p60[0, [3, 9, 30, 31, 59]] = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    p60[1, ::7] = 1.0
    inputs["p300"] = p300
    inputs["p60"] = p60
    g = gen(77)
    ties_big = []
    for name, ns in [("p300", 4), ("p300", 2), ("p60", 40), ("p60", 60), ("p60", 17), ("p300", 150)]:
        res = torch.multinomial(inputs[name], num_samples=ns, replacement=False, generator=g)
        ties_big.append({"input": name, "num_samples": ns, "values": res.reshape(-1).tolist()})
    return {
        "ties_big": {"seed": "77", "calls": ties_big},
        "inputs": {k: {"shape": list(v.shape), "bits": bits(v)} for k, v in inputs.items()},
        "sequence": {"seed": "2147483647", "calls": seq},
        "many_p27": {"seed": str(2147483647 + 10), "values": many},
        "ties_ptie_7": {"seed": "5", "values": ties},
    }


def python_cases():
    words = open(NAMES).read().splitlines()
    random.seed(42)
    random.shuffle(words)
    shuffle = {"seed": 42, "count": len(words), "first20": words[:20],
               "sha256": hashlib.sha256("\n".join(words).encode()).hexdigest()}
    seeds = [42, 0, 1, 2**32 - 1, 2**32, 2**40 + 12345, 2**64 + 3, -7, 2147483647]
    out = []
    for s in seeds:
        r = random.Random(s)
        rec = {"seed": str(s)}
        rec["uint32"] = [r.getrandbits(32) for _ in range(5)]
        rec["getrandbits"] = [[k, str(r.getrandbits(k))] for k in [1, 7, 31, 32, 33, 53, 64, 100]]
        rec["randbelow"] = [[n, str(r._randbelow(n))] for n in [1, 2, 3, 10, 27, 32033, 182625, 2**31, 2**40 + 1, 2**53]]
        rec["random"] = [r.random() for _ in range(3)]
        out.append(rec)
    return {"shuffle_names": shuffle, "seeds": out}


def main():
    torch.set_num_threads(1)
    doc = {
        "torch_version": torch.__version__,
        "cpu_capability": [l.split(":", 1)[1].strip() for l in torch.__config__.show().splitlines()
                           if "CPU capability usage" in l][0],
        "randn": randn_cases(),
        "randn_big": big_randn(),
        "sequences": [sequence_case(2147483647), sequence_case(7)],
        "randint": randint_cases(),
        "rand": rand_cases(),
        "exponential": exponential_cases(),
        "multinomial": multinomial_cases(),
        "python": python_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
