"""Chapter 13 (conclusion): the self-check quiz and its plain-function checker, plus a capstone exercise.

`grade(answers)` is what the notebook's widget calls and what tests/test_quiz.py tests; an answer is the
index of the chosen option (or None for a question left blank).
"""
from __future__ import annotations

import math

from . import Result, run_check, verdict

CHAPTERS = {0: "setup", 1: "background", 2: "core concepts", 3: "attention", 4: "encoder and decoder",
            5: "training time", 6: "interpretability", 7: "code example", 8: "future trends and scaling",
            9: "distributed training", 10: "quantization", 11: "compute and memory", 12: "interpretability methods",
            13: "conclusion"}

QUIZ = [
    {"q": "Training a dense transformer with N parameters on D tokens costs about how many FLOPs?",
     "options": ["N·D", "2·N·D", "6·N·D", "6·N·D·epochs²"], "answer": 2, "chapters": (1, 5),
     "why": "2 FLOPs per parameter per token forward, 4 backward; GPT-3's 6·175e9·300e9 ≈ its reported 3.14e23."},
    {"q": "The article writes TrainingTime = ComputeResources × TrainingEpochs. What gives a time in seconds?",
     "options": ["compute × epochs", "FLOPs / (devices × peak FLOP/s × utilisation)", "parameters / GPUs",
                 "epochs / FLOP/s"], "answer": 1, "chapters": (5,),
     "why": "FLOP / (FLOP/s) = s; more devices or better utilisation shorten it, epochs are inside the FLOPs."},
    {"q": "Model states of mixed-precision Adam training take how many bytes per parameter?",
     "options": ["2", "4", "8", "16"], "answer": 3, "chapters": (2, 11),
     "why": "bf16 weights 2 + bf16 gradients 2 + fp32 master 4 + Adam m 4 + v 4 = 16 (ZeRO's accounting)."},
    {"q": "Why did the Transformer train at scale where recurrent networks did not?",
     "options": ["it needs fewer FLOPs per token", "all positions of a layer are computed at once, as large "
                 "matrix products", "attention has no parameters", "it needs less data"], "answer": 1,
     "chapters": (2, 3),
     "why": "an RNN must step through positions one after another; attention does more arithmetic but in parallel."},
    {"q": "How does the cost of self-attention grow with the sequence length T (width fixed)?",
     "options": ["like T", "like T·log T", "like T²", "it does not grow"], "answer": 2, "chapters": (3, 8),
     "why": "every position scores every other position: a T×T matrix per head."},
    {"q": "Storing weights in int8 instead of fp32 makes them about how large?",
     "options": ["the same", "half", "a quarter", "an eighth"], "answer": 2, "chapters": (1, 10),
     "why": "1 byte instead of 4 (plus a few scales), at a small measured loss change."},
    {"q": "Which rule of thumb did Chinchilla's compute-optimal 70B model give?",
     "options": ["about 1 token per parameter", "about 20 tokens per parameter", "about 1000 tokens per parameter",
                 "the number of tokens does not matter"], "answer": 1, "chapters": (1, 8),
     "why": "70B parameters on 1.4T tokens is 20 tokens per parameter; GPT-3 had 1.7."},
    {"q": "Data-parallel training on k processes with the same global batch, compared with one process, gives:",
     "options": ["different losses, because each process sees other data", "the same losses up to floating-point "
                 "rounding", "a model k times larger", "no speed-up, ever"], "answer": 1, "chapters": (9,),
     "why": "gradients are averaged across processes, so the update equals the one-process update."},
    {"q": "What did scoring explanation methods against a known ground truth show about attention weights?",
     "options": ["they are always faithful", "they need not agree with what the model actually relies on, so "
                 "explanations must be tested", "they equal SHAP values", "interpretability = complexity × "
                 "explainability"], "answer": 1, "chapters": (6, 12),
     "why": "Jain & Wallace (2019): attention is frequently uncorrelated with gradient-based importance."},
]


def grade(answers) -> dict:
    """Score a list of option indices (None = left blank) against QUIZ.

    Returns {"correct": int, "total": int, "blank": int, "feedback": [one line per question]}.
    """
    if isinstance(answers, (str, bytes)) or not hasattr(answers, "__len__"):
        raise TypeError(f"answers must be a list of option indices, one per question, got {type(answers).__name__}")
    answers = list(answers)
    if len(answers) != len(QUIZ):
        raise ValueError(f"answers must have {len(QUIZ)} entries (one per question), got {len(answers)}")
    correct = blank = 0
    feedback = []
    for i, (a, item) in enumerate(zip(answers, QUIZ), 1):
        where = ", ".join(f"ch. {c:02d} ({CHAPTERS[c]})" for c in item["chapters"])
        if a is None:
            blank += 1
            feedback.append(f"Q{i}: left blank — see {where}.")
            continue
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(item["options"]):
            raise ValueError(f"answers[{i - 1}] must be an option index in 0..{len(item['options']) - 1} or None, "
                             f"got {a!r}")
        if a == item["answer"]:
            correct += 1
            feedback.append(f"Q{i}: right — {item['why']}")
        else:
            feedback.append(f"Q{i}: not quite ('{item['options'][a]}') — revisit {where}.")
    return {"correct": correct, "total": len(QUIZ), "blank": blank, "feedback": feedback}


def exercise_1(answers) -> Result:
    """The quiz as an exercise: passed when every question is answered correctly."""
    name = "13.1 self-check quiz"

    def check(ans):
        g = grade(ans)
        return verdict(name, g["correct"] == g["total"], f"all {g['total']} right.",
                       f"{g['correct']} of {g['total']} right; " + " ".join(
                           f for f in g["feedback"] if not f.split(": ", 1)[1].startswith("right")))
    return run_check(name, answers, check)


def exercise_2(gpus_needed_fn) -> Result:
    """Capstone: the smallest number of GPUs that trains `flops` within `days` at `peak` FLOP/s and `mfu`."""
    name = "13.2 plan a training run"

    def check(fn):
        cases = [(3.14e23, 989e12, 0.4, 30), (3.8e25, 989e12, 0.4, 54), (1e20, 312e12, 0.5, 1),
                 (6e23, 275e12, 0.46, 40)]
        got = [fn(*c) for c in cases]
        want = [math.ceil(f / (p * u * d * 86400)) for f, p, u, d in cases]
        return verdict(name, [int(g) for g in got] == want and all(float(g) == int(g) for g in got),
                       "right: ceil(FLOPs / (peak · MFU · seconds)) — a GPU cannot be split.",
                       f"for (flops, peak, mfu, days) = {cases} you gave {got}, expected {want}. Round *up*: "
                       f"ceil(flops / (peak · mfu · days · 86400)).")
    return run_check(name, gpus_needed_fn, check)
