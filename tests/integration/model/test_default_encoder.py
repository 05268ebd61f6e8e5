"""The default sentence encoder loads from its pip packages alone: nothing is fetched, with no network at all."""

import subprocess
import sys

from adapters.config.settings import ModelSettings
from support.shared_data import PROJECT_ROOT

# Any attempt to reach the network fails loudly in the child process, before the encoder is even imported.
_NO_NETWORK = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from adapters.model.encoder import shared_encoder
encoder = shared_encoder(encoder=sys.argv[1])
vectors = encoder.encode(["how do I top up my card", "как пополнить карту"])
print(vectors.shape[1], round(float(vectors[0] @ vectors[1]), 3))
"""


def test_the_default_encoder_loads_offline_from_its_packages() -> None:
    encoder = ModelSettings().encoder
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + _NO_NETWORK, encoder],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr
    width, similarity = done.stdout.split()
    assert int(width) == 384 + 512  # MiniLM's 384 beside USE's 512
    # The English half is blank on Russian: what the two share is the bilingual half, which finds them alike.
    assert float(similarity) > 0.5
