"""bigmodel_lib.interpret: the marker task, the explainer wrappers and the faithfulness scores (fast, untrained
models only)."""
import numpy as np
import pytest
import torch

from bigmodel_lib import interpret as I


@pytest.fixture(scope="module")
def setting():
    torch.manual_seed(0)
    data = I.MarkerData(n_train=50, n_val=20, seed=1)
    model = I.make_classifier(data, d_model=16, n_heads=2, n_layers=1).eval()
    x, y, m = data.split("val")
    keep = m.any(1)
    return data, model, x[keep][:4], y[keep][:4], m[keep][:4]


def test_marker_data_is_built_as_documented():
    data = I.MarkerData(n_train=300, n_val=10, min_len=6, max_len=12, max_markers=3, seed=0)
    x, y, m = data.split("train")
    assert x.shape == m.shape == (300, 12) and set(y.tolist()) == {0, 1, 2}
    lengths = (x != 0).sum(1)
    assert lengths.min() >= 6 and lengths.max() <= 12
    pos = {data.stoi[w] for w in I.POSITIVE}
    neg = {data.stoi[w] for w in I.NEGATIVE}
    for xi, yi, mi in zip(x, y, m):
        k = int(mi.sum())
        assert (k == 0) == (int(yi) == 1) and k <= 3
        marks = set(xi[mi].tolist())
        assert marks <= (neg if int(yi) == 0 else pos)
        assert not (set(xi[~mi].tolist()) & (pos | neg)), "distractors never hold a marker word"
    a, b = data.get_batch("train", torch.Generator().manual_seed(0))
    assert a.shape == (64, 12) and b.shape == (64,)
    with pytest.raises(ValueError, match="split"):
        data.get_batch("test", torch.Generator())
    with pytest.raises(ValueError, match="max_markers"):
        I.MarkerData(min_len=3, max_markers=3)


def test_encode_words_round_trip_and_mask_string_is_pad(setting):
    data, *_ = setting
    x, _, _ = data.split("train")
    texts = [" ".join(data.words(r)) for r in x[:5]]
    assert torch.equal(data.encode(texts), x[:5])
    assert data.encode(["good <pad> film"])[0, :4].tolist() == [data.stoi["good"], 0, data.stoi["film"], 0]
    with pytest.raises(TypeError):
        data.encode("good film")
    assert data.bag_of_words(x[:2]).sum(1).tolist() == (x[:2] != 0).sum(1).float().tolist()


def test_topk_precision_by_hand():
    scores = np.array([[0.1, 0.9, 0.5, 0.0], [3.0, 2.0, 1.0, 9.0]])
    marker = np.array([[False, True, True, False], [True, False, False, False]])
    valid = np.array([[True, True, True, True], [True, True, True, False]])   # 9.0 sits on PAD: ignored
    assert I.topk_precision(scores, marker, valid).tolist() == [1.0, 1.0]
    assert I.topk_precision(-scores, marker, valid).tolist() == [0.0, 0.0]
    assert I.topk_precision(scores, marker, valid, k=3).tolist() == pytest.approx([2 / 3, 1 / 3])
    with pytest.raises(ValueError, match="one shape"):
        I.topk_precision(scores, marker[:1], valid)


def test_remove_tokens_and_deletion_curve(setting):
    data, model, x, y, m = setting
    assert torch.equal(I.remove_tokens(x, m) != 0, (x != 0) & ~m)
    with pytest.raises(ValueError, match="drop"):
        I.remove_tokens(x, m[:, :3])
    curve = I.deletion_curve(model, x, m.float().numpy(), steps=3)
    assert curve.shape == (4, 4) and np.all((curve >= 0) & (curve <= 1))
    p0 = I.predict_proba(model, x).max(1)
    assert np.allclose(curve[:, 0], p0, atol=1e-6), "r = 0 is the untouched input"


def test_every_explainer_gives_one_score_per_real_token(setting):
    data, model, x, y, m = setting
    out = I.explain(model, data, x, lime_samples=40, shap_samples=40, ig_steps=8)
    for name in I.METHODS:
        s = out[name]
        assert s.shape == tuple(x.shape) and np.all(np.isfinite(s)), name
        assert np.all(s[x.numpy() == 0] == 0), f"{name}: PAD positions must score 0"
    assert set(out["_seconds"]) == set(I.METHODS)
    table, curves = I.score_methods(model, x, m, out, steps=3)
    assert list(table.columns) == ["topk_precision", "precision_se", "comprehensiveness", "comprehensiveness_se"]
    assert set(table.index) == set(I.METHODS) and curves["lime"].shape == (4, 4)
    with pytest.raises(ValueError, match="methods"):
        I.explain(model, data, x, methods=["saliency"])


def test_shap_values_add_up_and_ig_is_complete(setting):
    data, model, x, y, m = setting
    t = torch.from_numpy(I.predict_proba(model, x).argmax(1))
    s = I.shap_scores(model, x, t, nsamples=60, seed=0)
    p_full = I.predict_proba(model, x)[np.arange(4), t]
    p_empty = I.predict_proba(model, torch.zeros_like(x))[np.arange(4), t]
    assert np.allclose(s.sum(1), p_full - p_empty, atol=1e-4), "Kernel SHAP's values sum to f(x) - f(background)"
    assert np.array_equal(s, I.shap_scores(model, x, t, nsamples=60, seed=0)), "seeded SHAP is reproducible"
    a = I.lime_scores(model, data, x, t, num_samples=50, seed=3)
    assert np.array_equal(a, I.lime_scores(model, data, x, t, num_samples=50, seed=3)), "seeded LIME is reproducible"
    _, delta = I.integrated_gradients(model, x, t, n_steps=64, return_delta=True)
    assert np.abs(delta).max() < 1e-2, "IG attributions sum to f(x) - f(baseline)"


def test_occlusion_is_leave_one_out(setting):
    data, model, x, y, m = setting
    t = torch.from_numpy(I.predict_proba(model, x).argmax(1))
    s = I.occlusion_scores(model, x, t)
    drop = torch.zeros_like(x, dtype=torch.bool)
    drop[0, 2] = True
    p0 = I.predict_proba(model, x[:1])[0, t[0]]
    p1 = I.predict_proba(model, I.remove_tokens(x, drop)[:1])[0, t[0]]
    assert s[0, 2] == pytest.approx(p0 - p1, abs=1e-6)


def test_highlight_html_and_plot(setting):
    data, model, x, y, m = setting
    words = data.words(x[0])
    scores = np.linspace(-1, 1, len(words))
    h = I.highlight_html(words, scores, markers=m[0, :len(words)].tolist(), label="demo")
    assert h.count("<span") == len(words) and "demo" in h and "underline" in h
    with pytest.raises(ValueError, match="scores"):
        I.highlight_html(words, scores[:-1])
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    I.plot_highlights(ax, words, {"a": scores, "b": -scores})
    assert len(ax.get_yticklabels()) == 2
    plt.close(fig)


@pytest.mark.parametrize("fn", ["predict_proba", "attention_scores", "grad_x_input", "integrated_gradients"])
def test_explainers_restore_training_mode_when_they_raise(setting, fn):
    """Each explainer switches the model to eval mode; an error inside must not leave it there."""
    if fn == "integrated_gradients":
        pytest.importorskip("captum")
    data, _, x, _, _ = setting
    torch.manual_seed(0)
    model = I.make_classifier(data, d_model=16, n_heads=2, n_layers=1).train()

    def boom(*_):
        raise RuntimeError("boom")
    model.layers[0].register_forward_pre_hook(boom)
    call = {"predict_proba": lambda: I.predict_proba(model, x),
            "attention_scores": lambda: I.attention_scores(model, x),
            "grad_x_input": lambda: I.grad_x_input(model, x, target=0),
            "integrated_gradients": lambda: I.integrated_gradients(model, x, target=0)}[fn]
    with pytest.raises(RuntimeError, match="boom"):
        call()
    assert model.training, f"{fn} left the model in eval mode"
