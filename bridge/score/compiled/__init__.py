"""A compiler from LightGBM text models to native code (see `compiler`)."""
from bridge.score.compiled.compiler import CompiledForest, compile_forest, compile_model
from bridge.score.compiled.forest import Forest, read_forest

__all__ = ["CompiledForest", "Forest", "compile_forest", "compile_model", "read_forest"]
