"""The remote backend: other studios (or PAI itself) do the engine's work over the PAI wire protocol,
so that a front studio on cheap CPUs drives engine studios on GPU machines."""
from .backend import RemoteBackend
from .endpoints import Endpoint, endpoint_parse, endpoints_parse
from .monitor import LocalMonitor, Monitor
from .transport import Answer, Transport, TransportError

__all__ = ["Answer", "Endpoint", "LocalMonitor", "Monitor", "RemoteBackend", "Transport", "TransportError",
           "endpoint_parse", "endpoints_parse"]
