"""Every figure of chapter 04, called as the chapter calls it (the lead's test runs them with lang="zh")."""
from bigmodel_lib.diagrams import ch04

CALLS = [
    lambda: ch04.encoder_decoder_figure(),
    lambda: ch04.post_pre_ln_figure(),
    lambda: ch04.teacher_forcing_figure(),
]
