"""`bigmodel bench --quick` runs end to end and writes JSON with every section's fields (no timing asserts)."""
import json

import pytest

from bigmodel_lib import bench


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_quick_bench_writes_all_fields(tmp_path, capsys, clock):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--device", "cpu", "--threads", "1", "--clock", clock, "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["meta"]["quick"] is True and res["meta"]["device"] == "cpu" and res["meta"]["clock"] == clock
    assert res["peak"]["peak"] > 0 and res["peak"]["table"]
    cases = [r["case"] for r in res["attention"]]
    assert len(cases) == 4 and any("causal" in c for c in cases) and any("full" in c for c in cases)
    assert {r["ref"] for r in res["attention"]} == {"nn.MultiheadAttention", "F.scaled_dot_product_attention"}
    assert [r["case"] for r in res["layer"]] == ["EncoderLayer fwd+bwd", "EncoderLayer inference (no_grad)"]
    for r in res["attention"] + res["layer"]:
        assert r["lib_ms"] > 0 and r["ref_ms"] > 0 and r["ratio"] > 0 and r["paired_ratio"] > 0
    (t,) = res["training"]
    for key in ("tokens_per_s", "achieved_flops", "utilisation", "utilisation_vs_start_peak", "step_ms"):
        assert t[key]["eager"] > 0
    assert t["flops_per_token"] > 0
    assert [g["new_tokens"] for g in res["generation"]] == [8, 16]
    for g in res["generation"]:
        assert g["cache_tokens_per_s"] > 0 and g["no_cache_tokens_per_s"] > 0 and g["speedup"] > 0
    printed = capsys.readouterr().out
    assert "ratio" in printed and "GPT train step" in printed and "generation" in printed


def test_known_gpu_peaks():
    assert bench.known_gpu_peak("NVIDIA H200")[1] == 989e12
    assert bench.known_gpu_peak("NVIDIA H100 80GB HBM3")[1] == 989e12
    assert bench.known_gpu_peak("NVIDIA H100 PCIe")[1] == 756e12
    assert bench.known_gpu_peak("NVIDIA H100 NVL")[1] == 835e12
    assert bench.known_gpu_peak("NVIDIA A100-SXM4-80GB")[1] == 312e12
    assert bench.known_gpu_peak("Tesla T4") is None


@pytest.mark.parametrize("argv", [["--rounds", "0"], ["--threads", "0"], ["--only", "nonsense"]])
def test_bad_arguments_are_refused(argv):
    assert bench.main(["--quick", "--device", "cpu", *argv]) == 2


def test_attention_bench_gives_torch_its_own_mask_convention(monkeypatch):
    """nn.MultiheadAttention's boolean attn_mask is True where attention is NOT allowed (the library's is the
    opposite). The reference side must pass torch's convention, not rely on is_causal to ignore the mask."""
    import contextlib

    import torch
    import torch.nn as nn

    from bigmodel_lib.attention import MultiHeadAttention, causal_mask

    seen = []
    real = nn.MultiheadAttention.forward

    def spy(self, query, key, value, *args, **kwargs):
        seen.append((kwargs.get("attn_mask"), kwargs.get("is_causal", False)))
        return real(self, query, key, value, *args, **kwargs)
    monkeypatch.setattr(nn.MultiheadAttention, "forward", spy)
    b, t, d, h = 2, 6, 16, 2
    bench.bench_attention(torch.device("cpu"), (b, t, d, h), 1, contextlib.nullcontext, 0.0)
    causal_calls = [m for m, c in seen if c]
    assert causal_calls, "the causal case must run nn.MultiheadAttention"
    for m in causal_calls:
        assert m is not None and torch.equal(m, ~causal_mask(t)), "attn_mask must be True where attention is blocked"
    # and that mask, read without the is_causal shortcut, gives the library's causal attention
    torch.manual_seed(0)
    lib = MultiHeadAttention(d, h)
    ref = nn.MultiheadAttention(d, h, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(lib.in_proj.weight)
        ref.in_proj_bias.copy_(lib.in_proj.bias)
        ref.out_proj.load_state_dict(lib.out_proj.state_dict())
    x = torch.randn(b, t, d)
    torch.testing.assert_close(real(ref, x, x, x, attn_mask=causal_calls[0], need_weights=False)[0],
                               lib(x, is_causal=True)[0], atol=1e-5, rtol=0)
