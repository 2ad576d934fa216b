"""Bad-input cases for the figures of chapters 04 to 06 (bigmodel_lib.diagrams.ch04 .. ch06): the labels must be
a dict of translations."""
import matplotlib

matplotlib.use("Agg")

from bigmodel_lib.diagrams import ch04, ch05, ch06  # noqa: E402

CASES = [
    (f"diag{mod.__name__[-2:]}-{fn}-labels", f"diagrams.{mod.__name__.rsplit('.', 1)[1]}.{fn}",
     lambda mod=mod, fn=fn: getattr(mod, fn)(labels="German"), TypeError, r"labels must be a dict")
    for mod, fns in ((ch04, ("encoder_decoder_figure", "post_pre_ln_figure", "teacher_forcing_figure")),
                     (ch05, ("six_flops_figure", "units_figure", "prediction_figure")),
                     (ch06, ("methods_map_figure", "three_questions_figure")))
    for fn in fns
]
