"""LLM providers: the offline default, and (later) Claude through the anthropic SDK."""
