"""Bad-input cases for bigmodel_lib.bpe (format: tests/bad_input_cases/__init__.py)."""
import tempfile

import regex

from bigmodel_lib.bpe import BASE_TOKENS, GPT2_PATTERN, ByteLevelBPE, split_pieces

_tok = None


def tok():
    global _tok
    if _tok is None:
        _tok = ByteLevelBPE.train("the cat sat on the mat", 260)
    return _tok


BASE = {t: i for i, t in enumerate(BASE_TOKENS)}

CASES = [
    ("bpe-train-empty", "bpe.ByteLevelBPE.train", lambda: ByteLevelBPE.train("", 300), ValueError,
     r"text must be a non-empty str"),
    ("bpe-train-small-vocab", "bpe.ByteLevelBPE.train", lambda: ByteLevelBPE.train("abc", 100), ValueError,
     r"vocab_size must be >= 256"),
    ("bpe-train-pattern", "bpe.ByteLevelBPE.train", lambda: ByteLevelBPE.train("abc", 300, pattern="(["), ValueError,
     r"pattern is not a valid regex"),
    ("bpe-init-vocab", "bpe.ByteLevelBPE", lambda: ByteLevelBPE({"a": 0}, []), ValueError,
     r"vocab must contain all 256 byte tokens"),
    ("bpe-init-merge", "bpe.ByteLevelBPE", lambda: ByteLevelBPE(BASE, [("a", "b")]), ValueError,
     r"merge \('a', 'b'\) uses or makes a token that is not in vocab"),
    ("bpe-init-merges-type", "bpe.ByteLevelBPE", lambda: ByteLevelBPE(BASE, ["a b"]), TypeError,
     r"merges must be a list of \(token, token\) pairs"),
    ("bpe-encode-type", "bpe.ByteLevelBPE.encode", lambda: tok().encode(b"bytes"), TypeError, r"text must be a str"),
    ("bpe-decode-range", "bpe.ByteLevelBPE.decode", lambda: tok().decode([1, 99999]), ValueError,
     r"ids must be ids of this vocabulary"),
    ("bpe-decode-type", "bpe.ByteLevelBPE.decode", lambda: tok().decode("abc"), TypeError,
     r"ids must be a list of int"),
    ("bpe-token-bytes", "bpe.ByteLevelBPE.token_bytes", lambda: tok().token_bytes(5000), ValueError,
     r"token_id must be an id of this vocabulary"),
    ("bpe-save-type", "bpe.ByteLevelBPE.save", lambda: tok().save(3), TypeError, r"folder must be a path"),
    ("bpe-load-missing", "bpe.ByteLevelBPE.from_pretrained", lambda: ByteLevelBPE.from_pretrained(tempfile.mkdtemp()),
     FileNotFoundError, r"neither tokenizer.json nor vocab.json \+ merges.txt"),
    ("bpe-load-type", "bpe.ByteLevelBPE.from_pretrained", lambda: ByteLevelBPE.from_pretrained(None), TypeError,
     r"folder must be a path"),
    ("bpe-split-type", "bpe.split_pieces", lambda: split_pieces(GPT2_PATTERN, "text"), TypeError,
     r"compiled must be a compiled regex"),
    ("bpe-split-text", "bpe.split_pieces", lambda: split_pieces(regex.compile(GPT2_PATTERN), 5), TypeError,
     r"text must be a str"),
]
