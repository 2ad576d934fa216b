"""Bad-input cases for bigmodel_lib.models_table (format: tests/bad_input_cases/__init__.py)."""


from bigmodel_lib import models_table

CASES = [
    ("mt-load-missing", "models_table.load", lambda: models_table.load("/nonexistent.csv"), FileNotFoundError, r"does not exist"),
    ("mt-six-nd", "models_table.six_nd", lambda: models_table.six_nd(-1, 10), ValueError, r"n_params must be > 0"),
    ("mt-weight-dtype", "models_table.weight_bytes", lambda: models_table.weight_bytes(1e9, "fp7"), ValueError, r"dtype must be one of"),
    ("mt-summary-name", "models_table.model_summary", lambda: models_table.model_summary("NoSuchModel"), ValueError, r"name must be one of the table's models"),
    ("mt-growth-length", "models_table.fit_growth", lambda: models_table.fit_growth([2020, 2021], [1.0]), ValueError, r"equal length >= 3"),
    ("mt-fmt-si-type", "models_table.fmt_si", lambda: models_table.fmt_si("175B"), TypeError, r"x must be a number"),
    ("mt-fmt-bytes-type", "models_table.fmt_bytes", lambda: models_table.fmt_bytes("350 GB"), TypeError,
     r"x must be a number"),
]
