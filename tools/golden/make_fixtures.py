#!/usr/bin/python3
"""Generate the PyTorch golden fixtures the Java tests compare against.

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 tools/golden/make_fixtures.py lib/src/test/resources/gptcourse/golden

The model below is the tutorial's DemoTransformer (LayerNorm, Embed, PosEmbed,
Attention with IGNORE = -1e5, MLP with gelu_new, TransformerBlock, Unembed),
written out with torch.einsum so that the script needs nothing beyond torch.
Every parameter, bias and LayerNorm weight is set to a random value (not the
zero/one init) so that each gradient is exercised. Output: safetensors files
(written by hand below; the format is an 8-byte little-endian header length,
a JSON header, then raw little-endian tensor bytes).
"""
import json
import math
import struct
import sys
from dataclasses import dataclass, asdict
from pathlib import Path

import torch as t
import torch.nn as nn

t.use_deterministic_algorithms(True)


@dataclass
class Config:
    d_model: int = 16
    debug: bool = False
    layer_norm_eps: float = 1e-5
    d_vocab: int = 97
    init_range: float = 0.02
    n_ctx: int = 12
    d_head: int = 4
    d_mlp: int = 64
    n_heads: int = 4
    n_layers: int = 2


def gelu_new(x):
    return 0.5 * x * (1.0 + t.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * t.pow(x, 3.0))))


class LayerNorm(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.w = nn.Parameter(t.ones(cfg.d_model))
        self.b = nn.Parameter(t.zeros(cfg.d_model))

    def forward(self, residual):
        mean = residual.mean(dim=-1, keepdim=True)
        std = (residual.var(dim=-1, keepdim=True, unbiased=False) + self.cfg.layer_norm_eps).sqrt()
        return (residual - mean) / std * self.w + self.b


class Embed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_E = nn.Parameter(t.empty((cfg.d_vocab, cfg.d_model)))

    def forward(self, tokens):
        return self.W_E[tokens]


class PosEmbed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_pos = nn.Parameter(t.empty((cfg.n_ctx, cfg.d_model)))

    def forward(self, tokens):
        batch, seq_len = tokens.shape
        return self.W_pos[:seq_len].unsqueeze(0).expand(batch, seq_len, -1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.W_Q = nn.Parameter(t.empty((cfg.n_heads, cfg.d_model, cfg.d_head)))
        self.W_K = nn.Parameter(t.empty((cfg.n_heads, cfg.d_model, cfg.d_head)))
        self.W_V = nn.Parameter(t.empty((cfg.n_heads, cfg.d_model, cfg.d_head)))
        self.W_O = nn.Parameter(t.empty((cfg.n_heads, cfg.d_head, cfg.d_model)))
        self.b_Q = nn.Parameter(t.zeros((cfg.n_heads, cfg.d_head)))
        self.b_K = nn.Parameter(t.zeros((cfg.n_heads, cfg.d_head)))
        self.b_V = nn.Parameter(t.zeros((cfg.n_heads, cfg.d_head)))
        self.b_O = nn.Parameter(t.zeros((cfg.d_model)))
        self.register_buffer("IGNORE", t.tensor(-1e5, dtype=t.float32))

    def forward(self, x):
        q = t.einsum("bpd,hde->bphe", x, self.W_Q) + self.b_Q
        k = t.einsum("bpd,hde->bphe", x, self.W_K) + self.b_K
        v = t.einsum("bpd,hde->bphe", x, self.W_V) + self.b_V
        scores = t.einsum("bqhe,bkhe->bhqk", q, k) / self.cfg.d_head ** 0.5
        mask = t.triu(t.ones(scores.size(-2), scores.size(-1)), diagonal=1).bool()
        scores = scores.masked_fill(mask, self.IGNORE)
        pattern = scores.softmax(-1)
        z = t.einsum("bkhe,bhqk->bqhe", v, pattern)
        return t.einsum("bqhe,hed->bqd", z, self.W_O) + self.b_O


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_in = nn.Parameter(t.empty((cfg.d_model, cfg.d_mlp)))
        self.W_out = nn.Parameter(t.empty((cfg.d_mlp, cfg.d_model)))
        self.b_in = nn.Parameter(t.zeros((cfg.d_mlp)))
        self.b_out = nn.Parameter(t.zeros((cfg.d_model)))

    def forward(self, x):
        return gelu_new(x @ self.W_in + self.b_in) @ self.W_out + self.b_out


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1 = LayerNorm(cfg)
        self.attn = Attention(cfg)
        self.ln2 = LayerNorm(cfg)
        self.mlp = MLP(cfg)

    def forward(self, resid_pre):
        resid_mid = self.attn(self.ln1(resid_pre)) + resid_pre
        return self.mlp(self.ln2(resid_mid)) + resid_mid


class Unembed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_U = nn.Parameter(t.empty((cfg.d_model, cfg.d_vocab)))
        self.b_U = nn.Parameter(t.zeros((cfg.d_vocab), requires_grad=False))

    def forward(self, x):
        return x @ self.W_U + self.b_U


class DemoTransformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = Embed(cfg)
        self.pos_embed = PosEmbed(cfg)
        self.blocks = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg.n_layers)])
        self.ln_final = LayerNorm(cfg)
        self.unembed = Unembed(cfg)

    def forward(self, tokens):
        residual = self.embed(tokens) + self.pos_embed(tokens)
        for block in self.blocks:
            residual = block(residual)
        return self.unembed(self.ln_final(residual))


def get_log_probs(logits, tokens):
    log_probs = logits.log_softmax(dim=-1)
    return log_probs[:, :-1].gather(dim=-1, index=tokens[:, 1:].unsqueeze(-1)).squeeze(-1)


DTYPES = {t.float32: "F32", t.float64: "F64", t.int64: "I64"}


def save_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        x = tensors[name].detach().contiguous().cpu()
        raw = x.numpy().tobytes() if x.numel() else b""
        header[name] = {"dtype": DTYPES[x.dtype], "shape": list(x.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    t.manual_seed(1234)
    model = DemoTransformer(cfg)
    with t.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln1.w") or name.endswith("ln2.w") or name == "ln_final.w":
                p.copy_(1.0 + 0.1 * t.randn_like(p))
            elif ".b" in name or name.endswith(".b"):
                p.copy_(0.05 * t.randn_like(p))
            else:
                p.copy_(0.2 * t.randn_like(p))
    batch = 3
    token_batches = [t.randint(0, cfg.d_vocab, (batch, cfg.n_ctx)) for _ in range(3)]

    tensors = {f"param.{n}": p.detach().clone() for n, p in model.named_parameters()}
    for i, tok in enumerate(token_batches):
        tensors[f"tokens.{i}"] = tok

    logits = model(token_batches[0])
    log_probs = get_log_probs(logits, token_batches[0])
    loss = -log_probs.mean()
    loss.backward()
    tensors["logits"] = logits
    tensors["log_probs"] = log_probs
    tensors["loss"] = loss.reshape(())
    for n, p in model.named_parameters():
        tensors[f"grad.{n}"] = p.grad.detach().clone()

    # Three AdamW steps (lr 1e-3, wd 1e-2, torch defaults otherwise), one batch each.
    model.zero_grad(set_to_none=True)
    opt = t.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    for i, tok in enumerate(token_batches):
        loss_i = -get_log_probs(model(tok), tok).mean()
        loss_i.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        tensors[f"step_loss.{i}"] = loss_i.detach().reshape(())
    for n, p in model.named_parameters():
        tensors[f"after3.{n}"] = p.detach().clone()
    first = next(iter(model.parameters()))
    tensors["after3.exp_avg.embed.W_E"] = opt.state[first]["exp_avg"].clone()
    tensors["after3.exp_avg_sq.embed.W_E"] = opt.state[first]["exp_avg_sq"].clone()

    # gelu_new on a grid, and LayerNorm's eps on a near-constant row.
    x = t.linspace(-6.0, 6.0, 241, dtype=t.float64)
    tensors["gelu.x"] = x
    tensors["gelu.y"] = gelu_new(x)
    ln = LayerNorm(cfg).double()
    row = (1.0 + 1e-4 * t.randn(2, 5, cfg.d_model, dtype=t.float64))
    tensors["layernorm.x"] = row
    tensors["layernorm.y"] = ln(row)

    meta = {"config": json.dumps(asdict(cfg)), "generator": "tools/golden/make_fixtures.py",
            "torch": t.__version__, "batch": str(batch), "lr": "1e-3", "weight_decay": "1e-2"}
    save_safetensors(out / "demo_transformer.safetensors", tensors, meta)
    print(f"wrote {out / 'demo_transformer.safetensors'}: {len(tensors)} tensors, loss {loss.item():.6f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources/gptcourse/golden")
