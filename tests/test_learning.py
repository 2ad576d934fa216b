"""The models actually learn: the encoder-decoder reverses unseen sequences, the GPT models real text."""
import torch

from bigmodel_lib.data import Seq2SeqData, char_corpus, exact_match, unigram_entropy
from bigmodel_lib.models import GPT, GPTConfig, Transformer
from bigmodel_lib.train import TrainConfig, train


def test_encoder_decoder_reverses_held_out_sequences():
    torch.manual_seed(0)
    data = Seq2SeqData("reverse", n_train=20000, n_val=1000, batch_size=128, seed=0)
    model = Transformer(data.vocab_size, d_model=64, n_heads=4, n_layers=2, dropout=0.0, norm_first=True)
    train(model, data, TrainConfig(steps=1300, lr=1e-2, progress=False, device="cpu"))
    src, _, tgt_out = data.splits["val"]
    train_src = {tuple(r) for r in data.splits["train"][0].tolist()}
    assert not any(tuple(r) in train_src for r in src.tolist()), "validation sources must be unseen"
    acc = exact_match(model.greedy_decode(src, data.max_len + 1), tgt_out)
    assert acc >= 0.99, f"exact match on {len(src)} held-out sequences is {acc:.3f}"


def test_gpt_beats_the_unigram_entropy_of_the_corpus():
    torch.manual_seed(0)
    tok, data = char_corpus(block_size=64, batch_size=32)
    h_unigram = unigram_entropy(data.splits["train"])        # best loss without looking at context
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=64, n_layer=2, n_head=4, d_model=64))
    hist = train(model, data, TrainConfig(steps=300, lr=3e-3, eval_batches=20, progress=False, device="cpu"))
    assert hist.final_val_loss < h_unigram - 0.8, (hist.final_val_loss, h_unigram)


def test_generation_keeps_going_past_the_context():
    """Cache equality is tested on a model that depends on its context in test_generation.py (an untrained
    model like this one repeats its last token, so it cannot tell a broken cache from a working one)."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=20, block_size=32, n_layer=2, n_head=2, d_model=32)).eval()
    prompt = torch.randint(0, 20, (2, 5))
    long = model.generate(prompt, 60, temperature=0.0, use_cache=True)   # past the 32-token context
    assert long.shape == (2, 65)
