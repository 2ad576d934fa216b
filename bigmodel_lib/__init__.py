"""Big Models, Hands-On: the course helper library (attention, layers, models, data, one training loop)."""

__version__ = "0.1.0"
