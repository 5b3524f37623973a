"""The remote backend: other studios (or PAI itself) do the engine's work over the PAI wire protocol,
so that a front studio on cheap CPUs drives engine studios on GPU machines."""
from .backend import RemoteBackend
from .endpoints import Endpoint, endpoints_parse
from .transport import Answer, Transport, TransportError

__all__ = ["Answer", "Endpoint", "RemoteBackend", "Transport", "TransportError", "endpoints_parse"]
