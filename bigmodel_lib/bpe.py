"""Byte-level BPE (byte-pair encoding), the subword tokenizer of GPT-2 and of Llama 3, trained from scratch.

Start from the 256 byte values as tokens, so every text can be encoded and nothing is unknown. Then
repeat: find the pair of adjacent tokens that occurs most often in the training text and add it to
the vocabulary as one new token (a "merge"). Frequent words end up as one token, rare ones as pieces.

Two details follow GPT-2 (Radford et al., 2019, section 2.2), and Hugging Face `tokenizers`:

* Pre-tokenization: a regex first splits the text into words, numbers, punctuation runs and spaces
  (a space stays glued to the word after it), and merges never cross those pieces.
* Bytes are written as printable characters (`bytes_to_unicode`: byte 32, the space, is shown as 'Ġ'),
  so tokens are strings and vocab.json / merges.txt are text files.

Encoding replays the learned merges, earliest first; decoding joins the tokens' bytes.
"""
from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import regex

from .checks import check_int

# GPT-2's split: contractions, letters, numbers, other symbols, each with an optional leading space; spaces
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's map from the 256 byte values to printable characters (printable bytes map to themselves)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    shifted = [b for b in range(256) if b not in keep]
    return {**{b: chr(b) for b in keep}, **{b: chr(256 + i) for i, b in enumerate(shifted)}}


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}
BASE_TOKENS = sorted(BYTE_TO_CHAR.values())   # ids 0..255 in GPT-2's order (by character code)


def split_pieces(compiled: regex.Pattern, text: str) -> list[str]:
    """Pre-tokenize: the regex's matches, plus any text between them (so no character is ever dropped)."""
    if not isinstance(compiled, regex.Pattern):
        raise TypeError(f"compiled must be a compiled regex (regex.compile(pattern)), got {type(compiled).__name__}")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    pieces, end = [], 0
    for m in compiled.finditer(text):
        if m.start() > end:
            pieces.append(text[end:m.start()])
        if m.group():
            pieces.append(m.group())
        end = max(end, m.end())
    if end < len(text):
        pieces.append(text[end:])
    return pieces


def _compile(pattern: str) -> regex.Pattern:
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a regex str, got {type(pattern).__name__}")
    try:
        return regex.compile(pattern)
    except regex.error as e:
        raise ValueError(f"pattern is not a valid regex: {e}") from None


def _merge_word(word: tuple[str, ...], pair: tuple[str, str], new: str) -> tuple[str, ...]:
    """Replace every occurrence of `pair` in `word`, left to right, by the token `new`."""
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


class ByteLevelBPE:
    """A byte-level BPE tokenizer: `ByteLevelBPE.train(text, vocab_size)` or `ByteLevelBPE.from_pretrained(folder)`.

    Attributes: `merges` (list of token pairs, in the order learned), `vocab` (token string -> id),
    `vocab_size`. `encode(str) -> list[int]`, `decode(ids) -> str`.
    """

    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]], pattern: str = GPT2_PATTERN,
                 special_tokens: dict[str, int] | None = None, ignore_merges: bool = False):
        if not isinstance(vocab, dict) or not vocab:
            raise TypeError("vocab must be a non-empty dict {token string: id}")
        if not isinstance(merges, list) or not all(isinstance(m, tuple) and len(m) == 2 for m in merges):
            raise TypeError("merges must be a list of (token, token) pairs")
        missing = [c for c in BASE_TOKENS if c not in vocab]
        if missing:
            raise ValueError(f"vocab must contain all 256 byte tokens (byte-level BPE); {len(missing)} are missing")
        for a, b in merges:
            if a not in vocab or b not in vocab or a + b not in vocab:
                raise ValueError(f"merge ({a!r}, {b!r}) uses or makes a token that is not in vocab")
        self.vocab, self.merges, self.pattern = dict(vocab), list(merges), pattern
        self.special_tokens = dict(special_tokens or {})
        self.ignore_merges = ignore_merges
        self.ranks = {pair: r for r, pair in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in {**self.vocab, **self.special_tokens}.items()}
        self._regex = _compile(pattern)
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        """Number of ids the model needs (one more than the largest id)."""
        return max(self.id_to_token) + 1

    # ------------------------------------------------------------------ training
    @classmethod
    def train(cls, text: str, vocab_size: int, pattern: str = GPT2_PATTERN) -> ByteLevelBPE:
        """Learn merges from `text` until the vocabulary has `vocab_size` tokens (256 bytes + merges).

        Ties (pairs with the same count) go to the pair whose token ids are smallest, the rule of
        Hugging Face `tokenizers`' BpeTrainer, so both learn the same merges from the same text.
        """
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty str to train on")
        check_int("vocab_size", vocab_size, minimum=256)
        compiled = _compile(pattern)
        vocab = {tok: i for i, tok in enumerate(BASE_TOKENS)}
        words = Counter(tuple(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))
                        for piece in split_pieces(compiled, text))      # each distinct word, with its count
        pairs: Counter = Counter()                                      # adjacent pair -> count in the text
        where: dict[tuple[str, str], set] = defaultdict(set)           # adjacent pair -> words that hold it
        for word, n in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += n
                where[pair].add(word)
        merges: list[tuple[str, str]] = []
        while len(vocab) < vocab_size and pairs:
            top = max(pairs.values())                                   # the most frequent pair; ties -> smallest ids
            best = min((p for p, c in pairs.items() if c == top), key=lambda p: (vocab[p[0]], vocab[p[1]]))
            new = best[0] + best[1]
            merges.append(best)
            vocab.setdefault(new, len(vocab))                           # (a merge may rebuild a known token)
            for word in where.pop(best):                                # only words holding the pair change
                n = words.pop(word)
                merged = _merge_word(word, best, new)
                words[merged] = n
                for pair in zip(word, word[1:]):                        # take the old word's pairs out...
                    pairs[pair] -= n
                    if pairs[pair] == 0:
                        del pairs[pair]
                    if pair in where:
                        where[pair].discard(word)
                for pair in zip(merged, merged[1:]):                    # ...and the merged word's pairs in
                    pairs[pair] += n
                    where[pair].add(merged)
        return cls(vocab, merges, pattern)

    # ----------------------------------------------------------- encode / decode
    def _bpe(self, piece: str) -> list[int]:
        """Token ids of one pre-tokenized piece: apply the earliest-learned merge present, until none applies."""
        if piece in self._cache:
            return self._cache[piece]
        word = tuple(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))
        if self.ignore_merges and "".join(word) in self.vocab:
            word = ("".join(word),)
        while len(word) > 1:
            pair = min(zip(word, word[1:]), key=lambda p: self.ranks.get(p, len(self.ranks)))
            if pair not in self.ranks:
                break
            word = _merge_word(word, pair, pair[0] + pair[1])
        ids = [self.vocab[t] for t in word]
        if len(self._cache) < 100_000:
            self._cache[piece] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """str -> token ids. Special tokens such as <|endoftext|> are not parsed from the text."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return [i for piece in split_pieces(self._regex, text) for i in self._bpe(piece)]

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes one token stands for (a special token: its UTF-8 text)."""
        check_int("token_id", token_id, minimum=0)
        if token_id not in self.id_to_token:
            raise ValueError(f"token_id must be an id of this vocabulary (< {self.vocab_size}), got {token_id}")
        tok = self.id_to_token[token_id]
        if tok in self.special_tokens:
            return tok.encode("utf-8")
        return bytes(CHAR_TO_BYTE[c] for c in tok)

    def decode(self, ids) -> str:
        """Token ids (list or 1-D tensor) -> str; bytes that are not valid UTF-8 become '�'."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        if not isinstance(ids, (list, tuple)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise TypeError("ids must be a list of int token ids (or a 1-D integer tensor)")
        bad = [i for i in ids if i not in self.id_to_token]
        if bad:
            raise ValueError(f"ids must be ids of this vocabulary (0..{self.vocab_size - 1}), got {bad[:5]}")
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    # ------------------------------------------------------------ files on disk
    def save(self, folder) -> Path:
        """Write GPT-2-style vocab.json and merges.txt into `folder` (created if needed); returns the folder."""
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(f"folder must be a path, got {type(folder).__name__}")
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        (path / "vocab.json").write_text(json.dumps({**self.vocab, **self.special_tokens}, ensure_ascii=False))
        (path / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges))
        return path

    @classmethod
    def from_pretrained(cls, folder) -> ByteLevelBPE:
        """Load a byte-level BPE tokenizer from `folder`: tokenizer.json, or GPT-2's vocab.json + merges.txt."""
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(f"folder must be a path (str or pathlib.Path), got {type(folder).__name__}")
        path = Path(folder)
        if not path.is_dir():
            raise FileNotFoundError(f"folder {str(path)!r} is not a directory")
        if (path / "tokenizer.json").is_file():
            return cls._from_tokenizer_json(json.loads((path / "tokenizer.json").read_text(encoding="utf-8")))
        if (path / "vocab.json").is_file() and (path / "merges.txt").is_file():
            vocab = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
            lines = (path / "merges.txt").read_text(encoding="utf-8").splitlines()
            merges = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")]
            specials = {t: i for t, i in vocab.items() if t.startswith("<|") and t.endswith("|>")}
            return cls({t: i for t, i in vocab.items() if t not in specials}, merges, special_tokens=specials)
        raise FileNotFoundError(f"{str(path)!r} has neither tokenizer.json nor vocab.json + merges.txt")

    @classmethod
    def _from_tokenizer_json(cls, data: dict) -> ByteLevelBPE:
        model = data.get("model") or {}
        if model.get("type") != "BPE":
            raise ValueError(f"tokenizer.json holds a {model.get('type')!r} model; only byte-level BPE is supported")
        pattern, pre = None, data.get("pre_tokenizer") or {}
        steps = pre.get("pretokenizers", [pre]) if pre.get("type") == "Sequence" else [pre]
        for step in steps:
            if step.get("type") == "Split" and "Regex" in step.get("pattern", {}):
                pattern = step["pattern"]["Regex"]
            elif step.get("type") == "ByteLevel" and step.get("use_regex", True) and pattern is None:
                pattern = GPT2_PATTERN
            elif step.get("type") not in ("ByteLevel", "Split"):
                raise ValueError(f"tokenizer.json pre-tokenizer {step.get('type')!r} is not byte-level BPE "
                                 f"(SentencePiece-style tokenizers, e.g. Llama 1-2, are not supported)")
        if pattern is None or any(s.get("type") == "ByteLevel" and s.get("add_prefix_space") for s in steps):
            raise ValueError("tokenizer.json must use a ByteLevel pre-tokenizer without add_prefix_space")
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model.get("merges", [])]
        specials = {t["content"]: t["id"] for t in data.get("added_tokens", [])}
        vocab = {t: i for t, i in model["vocab"].items() if t not in specials}
        return cls(vocab, merges, pattern, special_tokens=specials, ignore_merges=bool(model.get("ignore_merges")))
