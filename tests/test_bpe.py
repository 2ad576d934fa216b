"""Byte-level BPE: the library's trainer learns the same merges as Hugging Face `tokenizers` on the course corpus,
encodes to the same ids, round-trips any text, and loads tokenizer.json and vocab.json + merges.txt folders."""
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from bigmodel_lib.bpe import BASE_TOKENS, BYTE_TO_CHAR, GPT2_PATTERN, ByteLevelBPE, split_pieces
from bigmodel_lib.data import load_corpus

tokenizers = pytest.importorskip("tokenizers")
N_CHARS, VOCAB = 100_000, 600     # a slice of the corpus and a small vocabulary: trains in about a second
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
ODD_TEXT = "naïve café — 東京 🙂 x=1_000_000;\n\n\tdef f(a):  return a ** 2   \r\n  it's OK'LL"


def hf_train(text: str, vocab_size: int, pattern: str | None = None):
    """tokenizers' BpeTrainer with GPT-2's byte-level setup: all 256 bytes as the alphabet, no prefix space."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    if pattern is None:
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    else:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=[], show_progress=False)
    tok.train_from_iterator([text], trainer)
    return tok


def hf_merges(tok) -> list[tuple[str, str]]:
    merges = json.loads(tok.to_str())["model"]["merges"]
    return [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in merges]


@pytest.fixture(scope="module")
def corpus():
    text = load_corpus()
    return text[:N_CHARS], text[N_CHARS:N_CHARS + 20_000]   # training slice, unseen text


@pytest.fixture(scope="module")
def pair(corpus):
    train, _ = corpus
    return ByteLevelBPE.train(train, VOCAB), hf_train(train, VOCAB)


def test_base_alphabet_is_gpt2s():
    assert len(BYTE_TO_CHAR) == 256 and len(set(BYTE_TO_CHAR.values())) == 256
    assert BYTE_TO_CHAR[ord(" ")] == "Ġ" and BYTE_TO_CHAR[ord("\n")] == "Ċ" and BYTE_TO_CHAR[ord("A")] == "A"
    assert BASE_TOKENS[0] == "!"           # GPT-2's vocab.json starts with "!" (id 0)


def test_same_merges_and_ids_as_tokenizers(pair, corpus):
    ours, hf = pair
    train, unseen = corpus
    assert len(ours.merges) == VOCAB - 256 and ours.vocab_size == VOCAB
    assert ours.merges == hf_merges(hf)                        # identical, in the same order
    for text in (train[:30_000], unseen, ODD_TEXT):
        assert ours.encode(text) == hf.encode(text).ids
    ratio = len(unseen) / len(ours.encode(unseen))
    assert 1.8 < ratio < 4.0, ratio                            # characters per token on unseen text


def test_same_merges_with_llama3_split_pattern(corpus):
    train = corpus[0][:40_000]
    ours = ByteLevelBPE.train(train, 400, pattern=LLAMA3_PATTERN)
    hf = hf_train(train, 400, pattern=LLAMA3_PATTERN)
    assert ours.merges == hf_merges(hf)
    assert ours.encode(corpus[1]) == hf.encode(corpus[1]).ids


def test_round_trip_any_text(pair):
    ours, _ = pair
    for text in (ODD_TEXT, "", " ", "\x00\xff", "a" * 50, "ﬁ\u200b\U0001F600" * 3):
        assert ours.decode(ours.encode(text)) == text


def test_merges_compress(pair, corpus):
    ours, _ = pair
    text = corpus[1]
    bytes_ = len(text.encode("utf-8"))
    assert len(ours.encode(text)) < 0.6 * bytes_                 # fewer tokens than bytes
    # more merges, fewer tokens
    bigger = ByteLevelBPE.train(corpus[0][:30_000], 512)
    smaller = ByteLevelBPE.train(corpus[0][:30_000], 300)
    assert len(bigger.encode(text)) < len(smaller.encode(text))
    assert bigger.merges[:44] == smaller.merges                  # training is greedy: a prefix of the longer run


def test_save_and_load_vocab_merges(pair, corpus, tmp_path):
    ours, _ = pair
    ours.save(tmp_path)
    assert (tmp_path / "merges.txt").read_text().startswith("#version")
    back = ByteLevelBPE.from_pretrained(tmp_path)
    assert back.merges == ours.merges and back.vocab == ours.vocab
    assert back.encode(corpus[1]) == ours.encode(corpus[1])


def test_load_tokenizer_json_with_special_token(corpus, tmp_path):
    from tokenizers import AddedToken
    hf = hf_train(corpus[0][:30_000], 350)
    hf.add_special_tokens([AddedToken("<|endoftext|>", special=True)])
    hf.save(str(tmp_path / "tokenizer.json"))
    ours = ByteLevelBPE.from_pretrained(tmp_path)
    assert ours.special_tokens == {"<|endoftext|>": 350} and ours.vocab_size == 351
    assert ours.encode(corpus[1]) == hf.encode(corpus[1]).ids
    assert ours.decode([*ours.encode("end"), 350]) == "end<|endoftext|>"


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither tokenizer.json nor vocab.json"):
        ByteLevelBPE.from_pretrained(tmp_path)
    (tmp_path / "tokenizer.json").write_text(json.dumps({"model": {"type": "Unigram"}}))
    with pytest.raises(ValueError, match="only byte-level BPE"):
        ByteLevelBPE.from_pretrained(tmp_path)
    (tmp_path / "tokenizer.json").write_text(json.dumps(
        {"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Metaspace"}}))
    with pytest.raises(ValueError, match="SentencePiece"):
        ByteLevelBPE.from_pretrained(tmp_path)


def test_gpt2_pattern_keeps_space_with_next_word():
    import regex
    assert split_pieces(regex.compile(GPT2_PATTERN), "the cat's  2024 toys!\n") == \
        ["the", " cat", "'s", " ", " 2024", " toys", "!", "\n"]
    tok = ByteLevelBPE.train("the cat the cat the cat", 300)
    assert "Ġcat" in tok.vocab and "catĠ" not in tok.vocab       # the space travels with the word after it
