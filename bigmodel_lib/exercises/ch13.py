"""Chapter 13 (conclusion): the self-check quiz and its plain-function checker, planning a run, and the capstone
(train the best language model you can in a time budget, checked for time and loss).

`grade(answers)` is what the notebook's widget calls and what tests/test_quiz.py tests; an answer is the
index of the chosen option (or None for a question left blank).

QUIZ and CHAPTERS hold the English text; it is translated where it is shown (`tr(q["q"])` in the widget, and in
`grade`'s feedback), from the entries of `bigmodel_lib/locale/zh/ch13.po` keyed by that English text.
"""
from __future__ import annotations

import math

from ..i18n import get_language, tr
from . import Result, run_check, verdict

CHAPTERS = {0: "setup", 1: "background", 2: "core concepts", 3: "attention", 4: "encoder and decoder",
            5: "training time", 6: "interpretability", 7: "code example", 8: "future trends and scaling",
            9: "distributed training", 10: "quantization", 11: "compute and memory", 12: "interpretability methods",
            13: "conclusion"}

QUIZ = [
    {
        "q": ("You double both a model's parameters and its training tokens. Its training compute grows "
              "about how much?"),
        "options": ["2×",
                    "4×",
                    "8×",
                    "it depends on the number of epochs only"],
        "answer": 1, "chapters": (1, 5),
        "why": ("C ≈ 6·N·D, so doubling N and D multiplies C by 2 × 2 = 4; epochs are already inside D."),
    },
    {
        "q": ("A run takes twice as long as 6·N·D / (devices × peak × MFU) predicted, with the FLOP count"
              " right. Which quantity in the formula was wrong?"),
        "options": ["the utilisation actually reached (MFU)",
                    "the number of parameters",
                    "the number of epochs",
                    "the peak FLOP/s of the datasheet"],
        "answer": 0, "chapters": (5,),
        "why": ("the datasheet peak is fixed; what a real run reaches (data loading, communication, small "
                "kernels) is the utilisation, and half the assumed MFU doubles the time."),
    },
    {
        "q": ("A 7B-parameter model serves fine in bf16 on one 80 GB GPU, yet training it with mixed-"
              "precision Adam on that GPU runs out of memory before the first step. Why?"),
        "options": ["bf16 is slower to train",
                    "the KV cache is larger during training",
                    "gradients are stored in fp64",
                    "the model states alone take 16 bytes per parameter, 112 GB"],
        "answer": 3, "chapters": (2, 11),
        "why": ("16-bit weights and gradients plus an fp32 master copy and Adam's two fp32 averages: 2+2+12"
                " = 16 bytes × 7e9 = 112 GB, before activations; serving needs only the 14 GB of weights."),
    },
    {
        "q": ("Activation checkpointing lets a bigger batch fit. What does it cost?"),
        "options": ["accuracy: the gradients become approximate",
                    "about one extra forward pass of compute per step",
                    "twice the optimizer memory",
                    "nothing"],
        "answer": 1, "chapters": (11,),
        "why": ("the blocks' insides are recomputed during backward; the gradients are exactly the same "
                "(chapter 11 checked them), the time is higher."),
    },
    {
        "q": ("Doubling the context length (width fixed) multiplies the attention-score FLOPs of a layer "
              "by about:"),
        "options": ["2",
                    "4",
                    "8",
                    "1: attention cost does not depend on length"],
        "answer": 1, "chapters": (3, 8),
        "why": ("every position scores every position: a T×T matrix per head, so 2T gives 4 times the "
                "entries."),
    },
    {
        "q": ("One row of a weight matrix has values 50× larger than the rest. With one int8 scale for "
              "the whole tensor, which rows lose most accuracy?"),
        "options": ["the outlier row",
                    "all rows equally",
                    "the ordinary rows",
                    "none: int8 has 255 levels"],
        "answer": 2, "chapters": (10,),
        "why": ("the outlier sets the grid step for every row, so ordinary rows fall between a few grid "
                "points; one scale per row fixes it."),
    },
    {
        "q": ("Chinchilla's compute-optimal rule: with 100× more compute, the best model has about how "
              "many times more parameters?"),
        "options": ["100×",
                    "1× (spend it on more tokens)",
                    "10×",
                    "1000×"],
        "answer": 2, "chapters": (1, 8),
        "why": ("N and D grow together (D ≈ 20·N), and C = 6·N·D ∝ N², so N grows like √C: √100 = 10."),
    },
    {
        "q": ("Data-parallel training on k processes with the same global batch, compared with one "
              "process, gives:"),
        "options": ["different losses, because each process sees other data",
                    "the same losses up to floating-point rounding",
                    "a model k times larger",
                    "no speed-up, ever"],
        "answer": 1, "chapters": (9,),
        "why": ("gradients are averaged across processes, so the update equals the one-process update."),
    },
    {
        "q": ("On a very confident classifier, gradient × input gives near-zero scores even to the "
              "decisive words, while integrated gradients finds them. Why?"),
        "options": [("the softmax is saturated, so the local gradient is tiny; integrated gradients averages it "
                     "along a path from a baseline"),
                    "the gradient is computed in low precision",
                    "integrated gradients uses more training data",
                    "gradient × input ignores the embeddings"],
        "answer": 0, "chapters": (12,),
        "why": ("at p ≈ 1 the log-probability is flat around the input; along the path from the baseline "
                "the model is not yet saturated, and completeness makes the scores add up to the change in "
                "output."),
    },
    {
        "q": ("Attention weights and integrated gradients agree on the top token of most examples, yet "
              "their rankings of the other words are nearly unrelated. What follows?"),
        "options": ["attention is a faithful explanation",
                    "integrated gradients is wrong",
                    "interpretability = complexity × explainability",
                    ("read an attention map for its peak at most, and test any explanation against a known truth "
                     "or the model's behaviour")],
        "answer": 3, "chapters": (6, 12),
        "why": ("agreement at the top says little about the rest (Jain and Wallace 2019); scoring against a"
                " truth (top-k precision) or the model (deletion curves) is what tells a faithful method "
                "from a plausible one."),
    },
]


def grade(answers, lang: str | None = None) -> dict:
    """Score a list of option indices (None = left blank) against QUIZ.

    Returns {"correct": int, "total": int, "blank": int, "feedback": [one line per question]}, the feedback in
    `lang` (default: the course's language, as `setup(..., lang)` set it).
    """
    if isinstance(answers, (str, bytes)) or not hasattr(answers, "__len__"):
        raise TypeError(tr("answers must be a list of option indices, one per question, got {got}",
                           got=type(answers).__name__))
    answers = list(answers)
    if len(answers) != len(QUIZ):
        raise ValueError(tr("answers must have {n} entries (one per question), got {got}", n=len(QUIZ),
                            got=len(answers)))
    correct = blank = 0
    feedback = []
    for i, (a, item) in enumerate(zip(answers, QUIZ), 1):
        where = tr(", ", lang).join(tr("ch. {c:02d} ({title})", lang, c=c, title=tr(CHAPTERS[c], lang))
                                    for c in item["chapters"])
        if a is None:
            blank += 1
            feedback.append(tr("Q{i}: left blank — see {where}.", lang, i=i, where=where))
            continue
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(item["options"]):
            raise ValueError(tr("answers[{k}] must be an option index in 0..{last} or None, got {got}", k=i - 1,
                                last=len(item["options"]) - 1, got=repr(a)))
        if a == item["answer"]:
            correct += 1
            feedback.append(tr("Q{i}: right — {why}", lang, i=i, why=tr(item["why"], lang)))
        else:
            feedback.append(tr("Q{i}: not quite ('{chosen}') — revisit {where}.", lang, i=i,
                               chosen=tr(item["options"][a], lang), where=where))
    return {"correct": correct, "total": len(QUIZ), "blank": blank, "feedback": feedback}


def exercise_1(answers) -> Result:
    """The quiz as an exercise: passed when every question is answered correctly."""
    name = "13.1 self-check quiz"

    def check(ans):
        g = grade(ans, get_language())
        wrong = [f for f, a, item in zip(g["feedback"], list(ans), QUIZ) if a != item["answer"]]
        return verdict(name, g["correct"] == g["total"], tr("all {total} right.", total=g["total"]),
                       tr("{correct} of {total} right; {wrong}", correct=g["correct"], total=g["total"],
                          wrong=" ".join(wrong)))
    return run_check(name, answers, check)


def exercise_2(gpus_needed_fn) -> Result:
    """Capstone: the smallest number of GPUs that trains `flops` within `days` at `peak` FLOP/s and `mfu`."""
    name = "13.2 plan a training run"

    def check(fn):
        from ..compute import GPUS
        h100, a100, tpu = (GPUS[k]["peak_flops"] for k in ("H100", "A100", "TPU v4"))
        cases = [(3.14e23, h100, 0.4, 30), (3.8e25, h100, 0.4, 54), (1e20, a100, 0.5, 1), (6e23, tpu, 0.46, 40)]
        got = [fn(*c) for c in cases]
        want = [math.ceil(f / (p * u * d * 86400)) for f, p, u, d in cases]
        return verdict(name, [int(g) for g in got] == want and all(float(g) == int(g) for g in got),
                       tr("right: ceil(FLOPs / (peak · MFU · seconds)) — a GPU cannot be split."),
                       tr("for (flops, peak, mfu, days) = {cases} you gave {got}, expected {want}. Round *up*: "
                          "ceil(flops / (peak · mfu · days · 86400)).", cases=cases, got=got, want=want))
    return run_check(name, gpus_needed_fn, check)


PLAN_KEYS = ("n_layer", "d_model", "n_head", "batch_size", "steps", "lr")
BLOCK_SIZE = 64          # the capstone's context length (characters)
TIME_SLACK = 1.2         # the run may take up to 20% more than the budget: an estimate is an estimate


def capstone(plan, budget_minutes: float, target_loss: float, rate: float, seed: int = 0,
             device: str = "auto") -> Result:
    """The capstone: train the library's GPT as `plan` says with the library's loop, then check that it kept the
    time budget (within TIME_SLACK) and reached `target_loss` on the validation set.

    plan: {"n_layer", "d_model", "n_head", "batch_size", "steps", "lr"}; context fixed at BLOCK_SIZE characters.
    rate: the FLOP/s this machine delivers when training (peak × utilisation, measured in the chapter); it sets the
    FLOP budget C = rate × seconds, and the message compares the plan with the compute-optimal N and D for C
    (Chinchilla's rule, D = 20·N). The returned Result carries the numbers in `.details` (loss, seconds, n, tokens,
    n_opt, d_opt, flops, flops_budget, memory) when the run happened.
    """
    name = "13.3 capstone: the best LM in the budget"

    def check(pl):
        import torch

        from ..compute import chinchilla_optimal, gpt_flops_per_token, gpt_training_memory, matmul_params
        from ..data import char_corpus
        from ..models import GPT, GPTConfig
        from ..train import TrainConfig, train
        if not isinstance(pl, dict) or set(pl) - set(PLAN_KEYS) or not {"n_layer", "d_model", "n_head",
                                                                        "batch_size", "steps"} <= set(pl):
            return Result(name, False, tr("plan must be a dict with keys {keys} (lr optional), got {got}",
                                          keys=PLAN_KEYS, got=repr(pl)))
        budget_s = float(budget_minutes) * 60
        tok, data = char_corpus(block_size=BLOCK_SIZE, batch_size=int(pl["batch_size"]))
        torch.manual_seed(seed)
        model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=BLOCK_SIZE, n_layer=pl["n_layer"],
                              n_head=pl["n_head"], d_model=pl["d_model"]))
        mem = gpt_training_memory(model, int(pl["batch_size"]))["total"]
        hist = train(model, data, TrainConfig(steps=int(pl["steps"]), lr=float(pl.get("lr", 3e-3)), eval_batches=20,
                                              seed=seed, device=device, desc="capstone"))
        n = matmul_params(model)
        c_used = gpt_flops_per_token(model) * hist.tokens
        c_budget = float(rate) * budget_s
        n_opt, d_opt = chinchilla_optimal(c_budget, tokens_per_param=20)
        loss, secs = hist.final_val_loss, hist.seconds
        time_ok, loss_ok = secs <= TIME_SLACK * budget_s, loss <= target_loss
        msg = tr("{n:,} matrix parameters, {tokens:,} tokens, estimated memory {mib:.0f} MiB; "
                 "time {secs:.0f} s of a {budget_s:.0f} s budget ({kept}); "
                 "validation loss {loss:.3f} against the target {target} "
                 "({reached}). Compared with the compute-optimal plan for "
                 "C = {c_budget:.2e} FLOPs (N = {n_opt:,.0f}, D = {d_opt:,.0f} tokens): N is {n_ratio:.2f}x, "
                 "D is {d_ratio:.2f}x, and the run used {used:.0%} of C.", n=n, tokens=hist.tokens, mib=mem / 2**20,
                 secs=secs, budget_s=budget_s, kept=tr("kept") if time_ok else tr("NOT kept"), loss=loss,
                 target=target_loss, reached=tr("reached") if loss_ok else tr("NOT reached"), c_budget=c_budget,
                 n_opt=n_opt, d_opt=d_opt, n_ratio=n / n_opt, d_ratio=hist.tokens / d_opt, used=c_used / c_budget)
        details = {"loss": loss, "seconds": secs, "budget_s": budget_s, "n": n, "tokens": hist.tokens,
                   "n_opt": n_opt, "d_opt": d_opt, "flops": c_used, "flops_budget": c_budget, "memory": mem}
        if time_ok and loss_ok:
            res = Result(name, True, tr("goal met. {msg}", msg=msg))
            res.details = details
            return res
        hint = []
        if not time_ok:
            hint.append(tr("the run took too long: plan fewer steps, or leave a margin for a busy machine"))
        if not loss_ok:
            hint.append(tr("the loss is too high: a model far from the compute-optimal size wastes the budget "
                           "(too big: too few tokens; too small: too little capacity)"))
        res = Result(name, False, tr("{msg} {hints}.", msg=msg, hints="; ".join(hint)))
        res.details = details
        return res
    return run_check(name, plan, check)
