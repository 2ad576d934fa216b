"""Bad-input cases for bigmodel_lib.data (format: tests/bad_input_cases/__init__.py)."""

import torch

from bigmodel_lib import data

tok = data.CharTokenizer("abc ")

CASES = [
    ("task-unknown", "data.make_seq2seq", lambda: data.make_seq2seq("shuffle", 4), ValueError, r"task must be one of"),
    ("task-n", "data.make_seq2seq", lambda: data.make_seq2seq("copy", 0), ValueError, r"n must be >= 1"),
    ("task-lengths", "data.make_seq2seq", lambda: data.make_seq2seq("copy", 4, min_len=5, max_len=3), ValueError, r"max_len must be >= 5"),
    ("task-symbols", "data.make_seq2seq", lambda: data.make_seq2seq("copy", 4, n_symbols=1), ValueError, r"n_symbols must be >= 2"),
    ("s2sdata-batch", "data.Seq2SeqData", lambda: data.Seq2SeqData(n_train=10, n_val=5, batch_size=0), ValueError, r"batch_size must be >= 1"),
    ("split-unknown", "data.Seq2SeqData.get_batch", lambda: data.Seq2SeqData(n_train=50, n_val=20).get_batch("test", torch.Generator()), ValueError,
     r"split must be one of"),
    ("exact-match-batch", "data.exact_match", lambda: data.exact_match(torch.ones(2, 3), torch.ones(3, 3)), ValueError, r"same batch size"),
    ("tokenizer-empty", "data.CharTokenizer", lambda: data.CharTokenizer(""), ValueError, r"text must be a non-empty str"),
    ("tokenizer-unknown", "data.CharTokenizer.encode", lambda: tok.encode("abz"), ValueError, r"not in the vocabulary: \['z'\]"),
    ("tokenizer-type", "data.CharTokenizer.encode", lambda: tok.encode(42), TypeError, r"text must be a str"),
    ("tokenizer-decode", "data.CharTokenizer.decode", lambda: tok.decode([0, 99]), ValueError, r"ids must be in \[0, 4\)"),
    ("lmdata-type", "data.LMData", lambda: data.LMData([1, 2, 3], 2, 2), TypeError, r"tokens must be a 1-D LongTensor"),
    ("lmdata-short", "data.LMData", lambda: data.LMData(torch.arange(10), 8, 2), ValueError, r"too few for block_size=8"),
    ("lmdata-fraction", "data.LMData", lambda: data.LMData(torch.arange(100), 4, 2, val_fraction=0.0), ValueError, r"val_fraction"),
    ("corpus-chars", "data.char_corpus", lambda: data.char_corpus(max_chars=10), ValueError, r"max_chars must be >= 1000"),
    ("unigram-float", "data.unigram_entropy", lambda: data.unigram_entropy(torch.randn(5)), ValueError, r"tokens must be a non-empty 1-D LongTensor"),
    ("unigram-empty", "data.unigram_entropy", lambda: data.unigram_entropy(torch.zeros(0, dtype=torch.long)), ValueError, r"non-empty"),
    ("lmdata-split", "data.LMData.get_batch", lambda: data.LMData(torch.arange(100), 4, 2).get_batch("test", torch.Generator()),
     ValueError, r"split must be one of"),
    ("lmdata-generator", "data.LMData.get_batch", lambda: data.LMData(torch.arange(100), 4, 2).get_batch("train", 0),
     TypeError, r"generator must be a torch.Generator"),
]
