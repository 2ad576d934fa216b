"""Bad-input cases for bigmodel_lib.interpret (format: tests/bad_input_cases/__init__.py)."""

import numpy as np
import torch

from bigmodel_lib import interpret, models

from . import V

m = models.TransformerClassifier(V, 3, d_model=8, n_heads=2, n_layers=1, max_len=8)

x2, x1 = torch.ones(2, 3, dtype=torch.long), torch.ones(3, dtype=torch.long)
md = interpret.MarkerData(n_train=50, n_val=10)


def _ax():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    plt.close(fig)
    return ax


CASES = [
    ("i-data-size", "interpret.MarkerData", lambda: interpret.MarkerData(n_train=0), ValueError, r"n_train must be >= 1"),
    ("i-remove-shape", "interpret.remove_tokens", lambda: interpret.remove_tokens(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 4, dtype=torch.bool)),
     ValueError, r"drop must be a bool tensor of x's shape \(2, 3\)"),
    ("i-topk-shape", "interpret.topk_precision", lambda: interpret.topk_precision(np.ones((2, 3)), np.ones((2, 4), bool), np.ones((2, 3), bool)),
     ValueError, r"must be \[B, T\] arrays of one shape"),
    ("i-highlight-length", "interpret.highlight_html", lambda: interpret.highlight_html(["a", "b"], [1.0]), ValueError, r"scores has 1 values for 2 words"),
    ("i-random-rank", "interpret.random_scores", lambda: interpret.random_scores(torch.ones(3, dtype=torch.long)), ValueError,
     r"x must be a \[batch, time\] tensor"),
    ("i-explain-method", "interpret.explain", lambda: interpret.explain(None, None, torch.ones(1, 3, dtype=torch.long), methods=["magic"]),
     ValueError, r"methods must be among"),
    ("i-make-classifier", "interpret.make_classifier", lambda: interpret.make_classifier("data"), TypeError, r"data must be a MarkerData"),
    ("i-predict-rank", "interpret.predict_proba", lambda: interpret.predict_proba(m, x1), ValueError, r"x must have 2 dimensions"),
    ("i-predict-model", "interpret.predict_proba", lambda: interpret.predict_proba("m", x2), TypeError, r"model must be a bigmodel_lib.models.TransformerClassifier"),
    ("i-accuracy-labels", "interpret.accuracy", lambda: interpret.accuracy(m, x2, torch.ones(3, dtype=torch.long)), ValueError, r"y must be a tensor of 2 labels"),
    ("i-attention-rank", "interpret.attention_scores", lambda: interpret.attention_scores(m, x1), ValueError, r"x must have 2 dimensions"),
    ("i-attention-layer", "interpret.attention_scores", lambda: interpret.attention_scores(m, x2, layer=5), ValueError, r"layer must be 'mean' or an int"),
    ("i-grad-unknown-token", "interpret.grad_x_input", lambda: interpret.grad_x_input(m, torch.full((2, 3), V)), ValueError, r"x ids must be in"),
    ("i-ig-steps", "interpret.integrated_gradients", lambda: interpret.integrated_gradients(m, x2, n_steps=0), ValueError, r"n_steps must be >= 2"),
    ("i-occlusion-rank", "interpret.occlusion_scores", lambda: interpret.occlusion_scores(m, x1), ValueError, r"x must have 2 dimensions"),
    ("i-lime-samples", "interpret.lime_scores", lambda: interpret.lime_scores(m, interpret.MarkerData(n_train=50, n_val=10), x2, num_samples=0),
     ValueError, r"num_samples must be >= 10"),
    ("i-shap-samples", "interpret.shap_scores", lambda: interpret.shap_scores(m, x2, nsamples=0), ValueError, r"nsamples must be >= 10"),
    ("i-deletion-shape", "interpret.deletion_curve", lambda: interpret.deletion_curve(m, x2, np.ones((2, 4))), ValueError, r"scores must have x's shape \(2, 3\)"),
    ("i-score-marker", "interpret.score_methods", lambda: interpret.score_methods(m, x2, torch.ones(2, 4, dtype=torch.bool), {"random": np.ones((2, 3))}),
     ValueError, r"marker must be a tensor of x's shape"),
    ("i-score-empty", "interpret.score_methods", lambda: interpret.score_methods(m, x2, torch.ones(2, 3, dtype=torch.bool), {}), ValueError,
     r"attributions must map at least one method"),
    ("i-data-split", "interpret.MarkerData.split", lambda: md.split("test"), ValueError, r"split must be one of"),
    ("i-data-batch", "interpret.MarkerData.get_batch", lambda: md.get_batch("test", torch.Generator()), ValueError,
     r"split must be one of"),
    ("i-data-words", "interpret.MarkerData.words", lambda: md.words([10**6]), ValueError, r"ids must be in \[0, \d+\)"),
    ("i-data-encode-str", "interpret.MarkerData.encode", lambda: md.encode("one text"), TypeError,
     r"texts must be a list of strings"),
    ("i-data-encode-unknown", "interpret.MarkerData.encode", lambda: md.encode(["zzqqx"]), ValueError,
     r"not in the vocabulary.*zzqqx"),
    ("i-data-bow", "interpret.MarkerData.bag_of_words", lambda: md.bag_of_words(torch.randn(2, 3)), TypeError,
     r"x must hold integer token ids"),
    ("i-plot-ax", "interpret.plot_highlights", lambda: interpret.plot_highlights(None, ["a"], {"grad": [1.0]}), TypeError,
     r"ax must be a matplotlib Axes"),
    ("i-plot-length", "interpret.plot_highlights",
     lambda: interpret.plot_highlights(_ax(), ["a", "b"], {"grad": [1.0]}), ValueError, r"grad.*1 values for 2 words"),
]
