"""ModelArts' ``model_service`` package, as far as PyTorch inference code (``customize_service.py``) uses it."""
