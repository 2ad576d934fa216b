"""Data that needs no download: synthetic seq2seq tasks, a character tokenizer, and a real English corpus.

The corpus is the Python Language Reference text that every CPython install carries in
`pydoc_data.topics` (what `help("if")` prints): about 460 kB of technical English.
Every dataset here has `get_batch(split, generator) -> tuple of tensors`, what `train.train` consumes.
"""
from __future__ import annotations

import torch

from .checks import check_int

PAD, BOS, EOS = 0, 1, 2
N_SPECIAL = 3
TASKS = ("copy", "reverse", "sort")
SPLITS = ("train", "val")


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return split


# ---------------------------------------------------------------- seq2seq tasks
def make_seq2seq(task: str, n: int, min_len: int = 3, max_len: int = 8, n_symbols: int = 10,
                 generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """n random examples of `task` ("copy", "reverse" or "sort") over symbols 3..3+n_symbols-1.

    Returns (src, tgt_in, tgt_out), each [n, max_len + 1]:
    src = x EOS PAD..., tgt_in = BOS y PAD..., tgt_out = y EOS PAD... (tgt_out is tgt_in shifted left).
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    check_int("n", n, minimum=1)
    check_int("min_len", min_len, minimum=1)
    check_int("max_len", max_len, minimum=min_len)
    check_int("n_symbols", n_symbols, minimum=2)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=g)
    x = torch.randint(N_SPECIAL, N_SPECIAL + n_symbols, (n, max_len), generator=g)
    pos = torch.arange(max_len)
    valid = pos[None, :] < lengths[:, None]
    if task == "copy":
        y = x.clone()
    elif task == "reverse":   # position p of y is position (len - 1 - p) of x
        idx = (lengths[:, None] - 1 - pos[None, :]).clamp_min(0)
        y = x.gather(1, idx)
    else:                      # sort the valid prefix; padding slots sort to the end
        y = x.masked_fill(~valid, N_SPECIAL + n_symbols).sort(dim=1).values
    x, y = x.masked_fill(~valid, PAD), y.masked_fill(~valid, PAD)
    col = torch.zeros(n, 1, dtype=torch.long)
    src = torch.cat([x, col], 1).scatter(1, lengths[:, None], EOS)
    tgt_in = torch.cat([col + BOS, y], 1)
    tgt_out = torch.cat([y, col], 1).scatter(1, lengths[:, None], EOS)
    return src, tgt_in, tgt_out


class Seq2SeqData:
    """Train and validation sets of a synthetic task, with no validation source seen in training."""

    def __init__(self, task: str = "reverse", n_train: int = 20000, n_val: int = 1000, min_len: int = 3,
                 max_len: int = 8, n_symbols: int = 10, batch_size: int = 64, seed: int = 0):
        check_int("batch_size", batch_size, minimum=1)
        g = torch.Generator().manual_seed(seed)
        train = make_seq2seq(task, n_train, min_len, max_len, n_symbols, g)
        val = make_seq2seq(task, n_val, min_len, max_len, n_symbols, g)
        seen = {tuple(r) for r in train[0].tolist()}
        keep = torch.tensor([tuple(r) not in seen for r in val[0].tolist()])
        if not bool(keep.any()):
            raise ValueError("every validation example also occurs in training; raise max_len or n_symbols")
        self.splits = {"train": train, "val": tuple(t[keep] for t in val)}
        self.task, self.max_len, self.batch_size = task, max_len, batch_size
        self.vocab_size = N_SPECIAL + n_symbols

    def get_batch(self, split: str, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
        """A random batch (src, tgt_in, tgt_out) from `split`."""
        data = self.splits[_check_split(split)]
        i = torch.randint(0, data[0].shape[0], (self.batch_size,), generator=generator)
        return tuple(t[i] for t in data)


def exact_match(pred: torch.Tensor, tgt_out: torch.Tensor) -> float:
    """Fraction of rows whose predicted tokens equal the target up to and including the target's first EOS.

    What follows that EOS is ignored (a decoder may write anything after it); the shorter of the two is
    padded with PAD, so a prediction that stops before the EOS does not match. A target row without EOS
    is compared whole.
    """
    if pred.shape[0] != tgt_out.shape[0]:
        raise ValueError(f"pred and tgt_out must have the same batch size, got {pred.shape[0]} and {tgt_out.shape[0]}")
    width = max(pred.shape[1], tgt_out.shape[1])
    pad = lambda t: torch.nn.functional.pad(t, (0, width - t.shape[1]), value=PAD)  # noqa: E731
    pred, tgt = pad(pred), pad(tgt_out)
    is_eos = (tgt == EOS).long()
    after_eos = (is_eos.cumsum(1) - is_eos) > 0          # strictly after the target's first EOS
    return ((pred == tgt) | after_eos).all(dim=1).float().mean().item()


# --------------------------------------------------------------- text corpus
def load_corpus() -> str:
    """The Python Language Reference topics shipped with CPython (`pydoc_data.topics`), as one string."""
    from pydoc_data.topics import topics
    return "\n\n".join(topics[k].strip() for k in sorted(topics))


class CharTokenizer:
    """One token per character: the simplest tokenizer, with a vocabulary built from a text."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty str to build the vocabulary from")
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """str -> 1-D LongTensor of ids; a character outside the vocabulary is an error."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise ValueError(f"text contains characters not in the vocabulary: {unknown[:10]}")
        return torch.tensor([self.stoi[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        """Ids (tensor or list) -> str."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"ids must be in [0, {self.vocab_size}), got {bad[:5]}")
        return "".join(self.chars[i] for i in ids)


class LMData:
    """Next-token batches from one long token stream: x = tokens[i:i+T], y = tokens[i+1:i+T+1].

    The last `val_fraction` of the stream is held out for validation.
    """

    def __init__(self, tokens: torch.Tensor, block_size: int, batch_size: int, val_fraction: float = 0.1):
        if not isinstance(tokens, torch.Tensor) or tokens.ndim != 1 or tokens.dtype != torch.long:
            raise TypeError("tokens must be a 1-D LongTensor (e.g. CharTokenizer.encode(text))")
        check_int("block_size", block_size, minimum=1)
        check_int("batch_size", batch_size, minimum=1)
        if not 0.0 < val_fraction < 1.0:
            raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
        cut = int(len(tokens) * (1 - val_fraction))
        self.splits = {"train": tokens[:cut], "val": tokens[cut:]}
        for name, t in self.splits.items():
            if len(t) < block_size + 1:
                raise ValueError(f"the {name} split has {len(t)} tokens, too few for block_size={block_size}")
        self.block_size, self.batch_size = block_size, batch_size

    def get_batch(self, split: str, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """batch_size random windows (x, y) of `split`, each [batch_size, block_size]; every window whose
        last target is the split's last token can be drawn (starts 0 .. len - block_size - 1)."""
        data = self.splits[_check_split(split)]
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        i = torch.randint(0, len(data) - self.block_size, (self.batch_size,), generator=generator)
        offsets = i[:, None] + torch.arange(self.block_size + 1)
        window = data[offsets]
        return window[:, :-1], window[:, 1:]


def char_corpus(block_size: int = 64, batch_size: int = 32, max_chars: int | None = None
                ) -> tuple[CharTokenizer, LMData]:
    """The standard character-level LM setup of the course: (tokenizer, LMData) over `load_corpus()`."""
    text = load_corpus()
    if max_chars is not None:
        text = text[:check_int("max_chars", max_chars, minimum=1000)]
    tok = CharTokenizer(text)
    return tok, LMData(tok.encode(text), block_size, batch_size)


def unigram_entropy(tokens: torch.Tensor) -> float:
    """Entropy in nats of the token frequencies: the loss of the best model that ignores context."""
    if not isinstance(tokens, torch.Tensor) or tokens.dtype != torch.long or tokens.ndim != 1 or tokens.numel() == 0:
        raise ValueError("tokens must be a non-empty 1-D LongTensor of token ids")
    p = torch.bincount(tokens).float()
    p = p[p > 0] / p.sum()
    return float(-(p * p.log()).sum())
