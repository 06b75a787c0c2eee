"""makemore.py's own training (its vendored model classes, data pipeline and loop) on PyTorch's CPU
device for a fixed number of steps, for docs/models.md and for comparing a makemore-ts run
(`makemore train --type T --steps N --seed S`, which draws the same split, parameters and
minibatches) step for step.

  /usr/bin/python3 tools/makemore_reference.py --type mlp --steps 5000 --seed 3407 --threads 1 [--json out.json]
  /usr/bin/python3 tools/makemore_reference.py --type transformer --steps 200 --dropout 0.1 --loss-every 20

--dropout P (transformer): nn.Dropout(P) where makemore-ts's --dropout puts it (makemore_family.add_dropout);
the masks come from the default generator after the split, the parameters and the DataLoader's seeds,
as makemore.py's main block would draw them (this loop neither evaluates nor samples in between).

Prints one JSON object: the test (and train) loss after the steps, both per token over the whole
split (what makemore-ts reports) and makemore.py's way (evaluate(): the mean of the means of up to
11 shuffled batches of 100 words), the minibatch loss every --loss-every steps (default 1000) and at
the last, and µs per step of the training loop."""
import argparse
import io
import json
import os
import sys
import time
from contextlib import redirect_stdout

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from makemore_family import add_dropout, build, makemore, stacked  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), '..')


@torch.inference_mode()
def per_token_loss(model, dataset):
    """The mean loss over every target position of the split (padding ignored)."""
    model.eval()
    X, Y = stacked(dataset)
    total, count = 0.0, 0
    for s in range(0, X.shape[0], 1000):
        logits, _ = model(X[s:s + 1000])
        y = Y[s:s + 1000].reshape(-1)
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y, ignore_index=-1, reduction='sum').item()
        count += int((y != -1).sum())
    model.train()
    return total / count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--type', default='transformer')
    ap.add_argument('--steps', type=int, default=5000)
    ap.add_argument('--seed', type=int, default=3407)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--input-file', default=os.path.join(ROOT, 'data', 'names.txt'))
    ap.add_argument('--n-layer', type=int, default=4)
    ap.add_argument('--n-head', type=int, default=4)
    ap.add_argument('--n-embd', type=int, default=64)
    ap.add_argument('--n-embd2', type=int, default=64)
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--learning-rate', type=float, default=5e-4)
    ap.add_argument('--weight-decay', type=float, default=0.01)
    ap.add_argument('--dropout', type=float, default=0.0, help='the transformer\'s dropout (makemore-ts --dropout)')
    ap.add_argument('--loss-every', type=int, default=1000, help='record the minibatch loss every this many steps')
    ap.add_argument('--json', default=None, help='also write the JSON here')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    # makemore.py's main block, in its order (num_workers 0: the same draws, no worker processes)
    torch.manual_seed(args.seed)
    with redirect_stdout(io.StringIO()):
        train_dataset, test_dataset = makemore.create_datasets(args.input_file)
    config = makemore.ModelConfig(vocab_size=train_dataset.get_vocab_size(), block_size=train_dataset.get_output_length(),
                                  n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd, n_embd2=args.n_embd2)
    model = build(args.type, config)
    if args.dropout > 0:
        if args.type != 'transformer':
            ap.error('--dropout applies to --type transformer')
        add_dropout(model, args.dropout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay, betas=(0.9, 0.99), eps=1e-8)
    loader = makemore.InfiniteDataLoader(train_dataset, batch_size=args.batch_size, pin_memory=False, num_workers=0)
    makemore.args = argparse.Namespace(device='cpu')  # evaluate() reads the global args.device

    losses = {}
    t_train = 0.0
    for step in range(args.steps):
        t0 = time.perf_counter()
        X, Y = loader.next()
        _, loss = model(X, Y)
        model.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        t_train += time.perf_counter() - t0
        if step % args.loss_every == 0 or step == args.steps - 1:
            losses[step] = loss.item()

    out = {
        'torch': torch.__version__,
        'type': args.type,
        'steps': args.steps,
        'seed': args.seed,
        'threads': args.threads,
        'dropout': args.dropout,
        'parameters': sum(p.numel() for p in model.parameters()),
        'us_per_step': t_train / args.steps * 1e6,
        'test_loss': per_token_loss(model, test_dataset),
        'train_loss': per_token_loss(model, train_dataset),
        'test_loss_makemore': makemore.evaluate(model, test_dataset, batch_size=100, max_batches=10),
        'train_loss_makemore': makemore.evaluate(model, train_dataset, batch_size=100, max_batches=10),
        'losses': losses,
    }
    text = json.dumps(out)
    print(text)
    if args.json:
        with open(args.json, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
