#!/usr/bin/python3
"""The seqseg ViT segmenter in plain PyTorch eager, as a speed and memory reference.

Same architecture as engine/vit_segmenter.cpp (patch-embedding conv, position table, pre-norm
blocks with naive attention, LayerNorm, conv decoder with k = s = 2 transposed-conv upsampling
and leaky ReLU, 1x1x1 head), the same Dice + cross-entropy loss (engine/loss.cpp) and AdamW
(lr 1e-4), on random data of the preset's ROI, batch 1. Prints one JSON object like
seqseg-bench --json: step times (median and minimum), peak RSS of the process and over the
timed steps. Run it with Debian's python3-torch (the same libtorch as the C++ build).

usage: reference_eager.py --config tiny|PATH.json [--roi S] [--mode train|infer]
                          [--steps N] [--warmup W] [--threads T] [--batch B] [--seed K]
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "presets")


def load_config(name):
    path = name if (name.endswith(".json") or "/" in name) else os.path.join(PRESETS, name + ".json")
    with open(path) as f:
        config = json.load(f)
    for key in ("roi", "patch"):
        if isinstance(config[key], int):
            config[key] = [config[key]] * 3
    return config


class Block(nn.Module):
    def __init__(self, embed, heads, mlp_hidden, qkv_bias):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(embed)
        self.qkv = nn.Linear(embed, 3 * embed, bias=qkv_bias)
        self.proj = nn.Linear(embed, embed)
        self.norm2 = nn.LayerNorm(embed)
        self.fc1 = nn.Linear(embed, mlp_hidden)
        self.fc2 = nn.Linear(mlp_hidden, embed)

    def attention(self, x):
        n, length, embed = x.shape
        qkv = self.qkv(x).view(n, length, 3, self.heads, embed // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
        out = scores.softmax(-1) @ v
        return self.proj(out.transpose(1, 2).reshape(n, length, embed))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViTSegmenter(nn.Module):
    def __init__(self, c):
        super().__init__()
        patch, roi, embed = c["patch"], c["roi"], c["embed_dim"]
        self.grid = [r // p for r, p in zip(roi, patch)]
        self.patch_embed = nn.Conv3d(c["in_channels"], embed, patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.randn(math.prod(self.grid), embed) * 0.02)
        hidden = int(embed * c["mlp_ratio"] + 0.5)
        self.blocks = nn.ModuleList(
            Block(embed, c["num_heads"], hidden, c["qkv_bias"]) for _ in range(c["depth"]))
        self.norm = nn.LayerNorm(embed)
        ch = c["decoder_channels"]
        self.input_conv = nn.Conv3d(embed, ch[0], 3, padding=1)
        self.upsamples, self.convs = nn.ModuleList(), nn.ModuleList()
        for s in range(len(ch) - 1):
            kernel = [2 if (1 << s) < p else 1 for p in patch]
            self.upsamples.append(nn.ConvTranspose3d(ch[s], ch[s + 1], kernel, stride=kernel))
            self.convs.append(nn.Conv3d(ch[s + 1], ch[s + 1], 3, padding=1))
        self.head = nn.Conv3d(ch[-1], c["num_classes"], 1)

    def forward(self, x):
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed
        for block in self.blocks:
            tokens = block(tokens)
        tokens = self.norm(tokens)
        y = tokens.transpose(1, 2).reshape(x.shape[0], tokens.shape[2], *self.grid)
        y = F.leaky_relu(self.input_conv(y), 0.01)
        for up, conv in zip(self.upsamples, self.convs):
            y = F.leaky_relu(conv(up(y)), 0.01)
        return self.head(y)


def dice_ce_loss(logits, labels, smooth=1e-5):
    log_probs = logits.log_softmax(1)
    probs = log_probs.exp()
    index = labels.unsqueeze(1)
    one_hot = torch.zeros_like(probs).scatter_(1, index, 1.0)
    dims = (2, 3, 4)
    intersection = (probs * one_hot).sum(dims)
    cardinality = probs.sum(dims) + one_hot.sum(dims)
    dice = 1.0 - ((2.0 * intersection + smooth) / (cardinality + smooth)).mean()
    ce = -log_probs.gather(1, index).sum() / index.numel()
    return dice + ce


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def clear_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="tiny")
    parser.add_argument("--roi", type=int)
    parser.add_argument("--mode", choices=("train", "infer"), default="train")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    config = load_config(args.config)
    if args.roi:
        config["roi"] = [args.roi] * 3
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = ViTSegmenter(config)
    roi = config["roi"]
    x = torch.randn(args.batch, config["in_channels"], *roi)
    labels = torch.randint(0, config["num_classes"], (args.batch, *roi))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    train = args.mode == "train"
    model.train(train)
    losses = []

    def step():
        if train:
            optimizer.zero_grad()
            loss = dice_ce_loss(model(x), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        else:
            with torch.no_grad():
                model(x).argmax(1)

    setup = peak_rss_mib()
    for _ in range(args.warmup):
        step()
    reset = clear_peak()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    result = {
        "impl": "pytorch-eager",
        "torch": torch.__version__,
        "config": args.config,
        "mode": args.mode,
        "roi": roi,
        "tokens": math.prod(r // p for r, p in zip(roi, config["patch"])),
        "threads": torch.get_num_threads(),
        "steps": args.steps,
        "step_time_s_median": statistics.median(times),
        "step_time_s_min": min(times),
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_setup_mib": setup,
        "peak_rss_steps_mib": peak_rss_mib() if reset else None,
    }
    if train:
        result["loss_first_last"] = [losses[0], losses[-1]]
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
