"""Every public figure of chapter 01, called as the chapter calls it (the lead's test runs them with lang="zh")."""
from bigmodel_lib.diagrams import ch01

_EVENTS = [(2017.45, "Transformer", "idea"), (2018.45, "GPT-1", "model"), (2018.8, "BERT-large", "model"),
           (2020.06, "Scaling laws", "idea"), (2020.4, "GPT-3 175B", "model"), (2022.25, "Chinchilla 70B", "model"),
           (2024.55, "Llama 3.1 405B", "model")]

CALLS = [
    lambda: ch01.challenges_map(),
    lambda: ch01.timeline(_EVENTS),
]
