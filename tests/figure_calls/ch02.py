"""Every public figure of chapter 02, called with small valid arguments like the chapter calls them."""
from bigmodel_lib.diagrams import ch02

_SENTENCE = "Return a shallow copy."

CALLS = [
    lambda: ch02.block_parameters(),
    lambda: ch02.bytes_per_parameter(),
    lambda: ch02.tokenizations([("characters", list(_SENTENCE)),
                                ("words", ["Return", " a", " shallow", " copy", "."]),
                                ("subwords (BPE, 512)", ["Ret", "urn", " a", " sh", "allow", " copy", "."])]),
]
