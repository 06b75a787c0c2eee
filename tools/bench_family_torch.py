#!/usr/bin/python3
"""PyTorch side of bench/familyStep.ts: µs per training step of makemore.py's own models.

    /usr/bin/python3 tools/bench_family_torch.py --types bow,transformer --steps 200 --repeats 3

makemore.py's classes (tools/makemore_py/makemore.py) at its defaults (n_layer 4, n_head 4, n_embd 64,
n_embd2 64) on the names (vocab 27, block 16: words padded as its CharDataset), batch 32, its AdamW
(lr 5e-4, betas (0.9, 0.99), eps 1e-8, weight decay 0.01), one thread (--threads). A step is what
makemore.py's loop times: forward with the loss (ignore_index -1), zero_grad(set_to_none), backward,
optimizer.step, on a batch drawn before the clock starts. Prints one JSON object: µs/step (median
of the repeats) per type.
"""
import argparse, contextlib, io, json, os, statistics, sys, time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "makemore_py"))
import makemore  # noqa: E402


def dataset(path):
    words = [w.strip() for w in open(path) if w.strip()]
    chars = sorted(set("".join(words)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    block = max(len(w) for w in words) + 1
    X = torch.zeros(len(words), block, dtype=torch.long)
    Y = torch.full((len(words), block), -1, dtype=torch.long)
    for i, w in enumerate(words):
        ix = torch.tensor([stoi[c] for c in w])
        X[i, 1:1 + len(w)] = ix
        Y[i, :len(w)] = ix
        Y[i, len(w)] = 0
    return X, Y, len(chars) + 1, block


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "data", "names.txt"))
    ap.add_argument("--types", default="bow,transformer")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    X, Y, V, block = dataset(args.data)
    out = {"torch": torch.__version__, "threads": args.threads, "batch": args.batch, "block": block, "steps": args.steps, "us_per_step": {}}
    for kind in args.types.split(","):
        torch.manual_seed(1337)
        config = makemore.ModelConfig(vocab_size=V, block_size=block)
        with contextlib.redirect_stdout(io.StringIO()):
            model = {"transformer": makemore.Transformer, "bow": makemore.BoW}[kind](config)
        opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
        g = torch.Generator().manual_seed(1)
        batches = [torch.randint(0, X.shape[0], (args.batch,), generator=g) for _ in range(args.steps + args.warmup)]

        def step(ix):
            logits, loss = model(X[ix], Y[ix])
            model.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        times = []
        for _ in range(args.repeats):
            for ix in batches[:args.warmup]:
                step(ix)
            t0 = time.perf_counter()
            for ix in batches[args.warmup:]:
                step(ix)
            times.append((time.perf_counter() - t0) / args.steps * 1e6)
        out["us_per_step"][kind] = statistics.median(times)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
