"""Reaching an existing Ray cluster before a sweep starts (README, "Sweeps on
Ray and clusters").

Ray's client waits 30 s before it gives up on a head that does not answer or
refuses the token, then prints a traceback. `cluster_problem` asks first, in
well under a second when the head is there, and says what is wrong in one
line.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

PROBE_TIMEOUT_S = 5.0
TOKEN_HELP = (
    "with token authentication (on by default since Ray 2.59) run with "
    "RAY_AUTH_MODE=token and the cluster's token in ~/.ray/auth_token, "
    "RAY_AUTH_TOKEN_PATH or RAY_AUTH_TOKEN"
)


def cluster_problem(address: str) -> str | None:
    """What keeps this driver from the Ray cluster at `address` (the value of
    `hydra.launcher.ray.init.address`), in one line; None when it answers.
    `local`, `auto` and no address start or find Ray on this machine: nothing
    to check."""
    if address in ("", "None", "null", "local", "auto"):
        return None
    key = f"hydra.launcher.ray.init.address={address!r}"
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        return f"{key} is not allowed: expected ray://HOST:PORT (the head's client port, 10001)"
    try:
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S).close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        return (
            f"{key}: nothing answers at {host}:{port} ({reason}); is the head started "
            f"(`ray start --head`) and port {port} reachable from here?"
        )
    if parts.scheme != "ray":
        return None  # a GCS address: the driver joins the cluster itself
    return _client_problem(f"{host}:{port}", key)


def _client_problem(host_port: str, key: str) -> str | None:
    """Ping the head's Ray Client server once, with the token this driver
    would send: the answer comes at once, where Ray's client retries for 30 s.
    Uses Ray's own channel (it adds the token) and client protocol, pinned
    with the `ray` extra; without them the check is left to Ray."""
    try:
        import grpc
        from ray._private.grpc_utils import init_grpc_channel
        from ray.core.generated import ray_client_pb2, ray_client_pb2_grpc
    except ImportError:
        return None
    channel = init_grpc_channel(host_port, asynchronous=False)
    try:
        grpc.channel_ready_future(channel).result(timeout=PROBE_TIMEOUT_S)
        ping = ray_client_pb2.ClusterInfoRequest(type=ray_client_pb2.ClusterInfoType.PING)
        ray_client_pb2_grpc.RayletDriverStub(channel).ClusterInfo(ping, timeout=PROBE_TIMEOUT_S)
    except grpc.FutureTimeoutError:
        return f"{key}: something answers at {host_port}, but not as a Ray Client server"
    except grpc.RpcError as err:
        if err.code() != grpc.StatusCode.UNAUTHENTICATED:
            return f"{key}: the Ray Client server at {host_port} failed: {err.details()}"
        mode = os.environ.get("RAY_AUTH_MODE", "")
        hint = (
            TOKEN_HELP + f" (RAY_AUTH_MODE is {mode!r})"
            if mode != "token"
            else "is the token the cluster's? (RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or "
            "~/.ray/auth_token)"
        )
        return f"{key}: the Ray cluster refused the connection; {hint}"
    finally:
        channel.close()
    return None
