from .softmax_squared_error import softmax_squared_error

__all__ = ['softmax_squared_error']
