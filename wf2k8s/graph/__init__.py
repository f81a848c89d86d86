"""The validated graph model between the SDK and the backends."""
