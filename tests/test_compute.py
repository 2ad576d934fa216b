"""bigmodel_lib.compute: FLOP counts against torch's own counter, memory estimates against what autograd
saves, and the time/cost/scaling arithmetic against hand-worked numbers. Fast; no timing asserts."""
import copy
import math

import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from bigmodel_lib import compute as C
from bigmodel_lib.models import GPT, GPTConfig


def small_gpt(**kw):
    torch.manual_seed(0)
    cfg = dict(vocab_size=40, block_size=16, n_layer=2, n_head=4, d_model=32)
    cfg.update(kw)
    return GPT(GPTConfig(**cfg))


@pytest.mark.parametrize("kw", [{}, {"n_layer": 3, "d_model": 48, "block_size": 8}, {"tie_weights": False}])
def test_training_flops_match_torch_flop_counter(kw):
    model = small_gpt(**kw)
    b, t = 3, model.config.block_size
    x = torch.randint(0, model.config.vocab_size, (b, t))
    # the MATH backend makes the attention matmuls visible to the counter (the CPU fused op is not counted)
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as fc:
        _, loss = model(x, x)
        loss.backward()
    assert fc.get_total_flops() == b * t * C.gpt_flops_per_token(model)


def test_inference_flops_are_a_third():
    model = small_gpt()
    x = torch.randint(0, 40, (2, 16))
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as fc:
        model(x)
    assert fc.get_total_flops() == 2 * 16 * C.gpt_flops_per_token(model, training=False)


def test_flops_convention_is_palm():
    model = small_gpt()
    c = model.config
    n = C.matmul_params(model)
    assert n == c.n_layer * 12 * c.d_model ** 2 + c.vocab_size * c.d_model   # tied head counted once
    assert C.gpt_flops_per_token(model) == 6 * n + 12 * c.n_layer * c.d_model * c.block_size


@pytest.mark.parametrize("kw", [{}, {"n_layer": 3, "d_model": 64, "n_head": 2}])
def test_activation_estimate_matches_saved_tensors(kw):
    model = small_gpt(**kw)
    b = 4
    x = torch.randint(0, 40, (b, 16))
    measured = C.saved_activation_bytes(lambda: model(x, x), exclude=model)
    est = C.gpt_training_memory(model, b)["activations"]
    assert abs(measured - est) / est < 0.05
    ck = C.with_checkpointing(copy.deepcopy(model))
    measured_ck = C.saved_activation_bytes(lambda: ck(x, x), exclude=ck)
    a = C.activation_bytes(b, 16, model.config.d_model, model.config.n_layer, model.config.n_head, 40,
                           checkpointing=True)
    assert abs(measured_ck - (a["layers"] + a["head"])) / measured_ck < 0.05
    assert measured_ck < 0.5 * measured


def test_checkpointed_model_gives_same_gradients():
    model = small_gpt()
    ck = C.with_checkpointing(copy.deepcopy(model))
    x = torch.randint(0, 40, (2, 16))
    for m in (model, ck):
        m(x, x)[1].backward()
    for (n1, p1), (_, p2) in zip(model.named_parameters(), ck.named_parameters()):
        torch.testing.assert_close(p1.grad, p2.grad, atol=1e-6, rtol=1e-5, msg=n1)
    ck.generate(x[:, :2], 3)   # inference (with a cache) still works through the wrapper


def test_model_states_after_an_adam_step():
    model = small_gpt()
    opt = torch.optim.AdamW(model.parameters())
    model(torch.randint(0, 40, (2, 16)), torch.randint(0, 40, (2, 16)))[1].backward()
    opt.step()
    n = sum(p.numel() for p in model.parameters())
    est = C.gpt_training_memory(model, 2)
    grads = sum(p.grad.numel() * p.grad.element_size() for p in model.parameters())
    states = sum(v.numel() * v.element_size() for s in opt.state.values() for k, v in s.items() if k != "step")
    assert est["weights"] == 4 * n and est["gradients"] == grads and est["optimizer"] == states
    mixed = C.training_memory(1000, 1, 1, 8, 1, 1, precision="mixed")
    assert mixed["weights"] + mixed["gradients"] + mixed["optimizer"] == 16 * 1000   # ZeRO's 16 bytes/param


def test_inference_memory_kv_cache():
    # Llama-3-70B-like: 80 layers, 8 KV heads of 128 -> 320 KiB per token in bf16
    m = C.inference_memory(70e9, batch=1, seq_len=8192, n_layer=80, d_kv=8 * 128)
    assert m["kv_per_token"] == 2 * 80 * 1024 * 2 == 327680
    assert m["kv_cache"] == 327680 * 8192 and m["weights"] == 140e9
    model = small_gpt()
    caches = [{} for _ in model.blocks]
    with torch.no_grad():
        model(torch.randint(0, 40, (2, 10)), caches=caches)
    kv = sum(c[k].numel() * c[k].element_size() for c in caches for k in ("k", "v"))
    assert kv == C.inference_memory(1, 2, 10, 2, 32, bytes_per_value=4)["kv_cache"]


def test_estimate_predicts_another_published_run():
    # Llama 2 (arXiv:2307.09288, Table 2): 70B 1,720,320 and 7B 184,320 A100-80GB GPU-hours, both on 2.0T tokens.
    # The utilisation implied by the 70B run predicts the 7B run's GPU-hours (a different model size).
    u = C.implied_utilisation(6 * 70e9 * 2e12, 1_720_320, C.GPUS["A100"]["peak_flops"])
    assert 0.2 < u < 0.7
    est = C.training_estimate(7e9, 2e12, "A100", n_gpus=1024, utilisation=u, price_per_gpu_hour=1.0)
    assert abs(est["gpu_hours"] / 184_320 - 1) < 0.1
    # hand-worked: 6·7e9·2e12 = 8.4e22 FLOPs; at 312e12 FLOP/s and u = 0.5 that is 8.4e22 / 1.56e14 s on one GPU
    est = C.training_estimate(7e9, 2e12, "A100", n_gpus=1, utilisation=0.5, price_per_gpu_hour=2.0)
    assert math.isclose(est["seconds"], 8.4e22 / 1.56e14) and math.isclose(est["cost"], 2 * est["seconds"] / 3600)
    assert C.training_estimate(1e9, 1e9)["cost"] is None
    assert math.isclose(C.utilisation(100.0, 2.0, 10.0, devices=5), 1.0)
    with pytest.raises(ValueError, match="gpu"):
        C.training_estimate(1e9, 1e9, gpu="B200")
    with pytest.raises(ValueError, match="utilisation"):
        C.training_time(1e20, 1e12, utilisation=1.5)


def test_cloud_cost_adds_what_fits():
    # 70B in mixed-precision AdamW: 16 B/param = 1.12e12 bytes of model states -> 14 A100-80GB at least
    plan = C.cloud_cost(70e9, 2e12, "A100", n_gpus=8, utilisation=0.4, price_per_gpu_hour=2.0)
    assert plan["states_bytes"] == 16 * 70e9 and plan["min_gpus_for_states"] == 14 and not plan["fits"]
    assert C.cloud_cost(70e9, 2e12, "H200", n_gpus=8)["fits"]          # 141 GB each: 8 are enough
    est = C.training_estimate(70e9, 2e12, "A100", 8, 0.4, 2.0)
    assert all(math.isclose(plan[k], est[k]) for k in est)
    assert math.isclose(plan["cost"], 2.0 * plan["gpu_hours"])


def test_cpu_threads_restores():
    before = torch.get_num_threads()
    with C.cpu_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_power_law_fit_recovers_exponent():
    n = torch.logspace(3, 6, 6, dtype=torch.float64).numpy()
    fit = C.fit_power_law(n, 5 * n ** -0.3)
    assert abs(fit["alpha"] - 0.3) < 1e-6
    fit = C.fit_power_law(n, 5 * n ** -0.3 + 1.5, irreducible=True)
    assert abs(fit["alpha"] - 0.3) < 1e-3 and abs(fit["e"] - 1.5) < 1e-3
    with pytest.raises(ValueError):
        C.fit_power_law([1, 2], [1, -1])


def test_chinchilla_optimal():
    n, d = C.chinchilla_optimal(5.88e23, tokens_per_param=20)
    assert math.isclose(6 * n * d, 5.88e23) and math.isclose(d / n, 20)
    n, d = C.chinchilla_optimal(1e23)
    # the closed form is the constrained minimum: nearby splits of the same budget predict a higher loss
    best = C.chinchilla_loss(n, d)
    for f in (0.8, 1.25):
        assert C.chinchilla_loss(n * f, d / f) > best


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="precision"):
        C.training_memory(10, 1, 1, 8, 1, 1, precision="int4")
    with pytest.raises(TypeError, match="GPT"):
        C.gpt_training_memory(torch.nn.Linear(2, 2), 1)
    with pytest.raises(TypeError, match="blocks"):
        C.with_checkpointing(torch.nn.Linear(2, 2))


def test_time_fn_clock():
    """time_fn's clock option (process CPU time, for timings on a shared machine) validates its input."""
    assert C.time_fn(lambda: sum(range(1000)), repeats=3, clock="cpu") >= 0
    with pytest.raises(ValueError, match="clock"):
        C.time_fn(lambda: None, clock="gpu")
