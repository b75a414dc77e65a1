"""A real IMAP server for tests: Debian's dovecot, started in the foreground with a config of
its own in a temporary directory (one user, a Maildir, no TLS on 127.0.0.1)."""

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def deliver(self, raw: bytes) -> None:
        """Put a message in the inbox, as the mail server does on delivery."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=30)
        imap.login(self.user, self.password)
        imap.append("INBOX", "", None, raw)
        imap.logout()

    def unread(self) -> int:
        imap = imaplib.IMAP4(self.host, self.port, timeout=30)
        imap.login(self.user, self.password)
        imap.select("INBOX")
        _, found = imap.search(None, "UNSEEN")
        imap.logout()
        return len((found[0] or b"").split())


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@contextmanager
def imap_server(port: int) -> Iterator[ImapServer]:
    """Dovecot's processes run as its own users, so its directory is one they can reach (not
    pytest's, which only root may enter)."""
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI"):
            pytest.fail(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
        pytest.skip(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
    server = ImapServer("127.0.0.1", port, "broker", "mailbox-secret")
    root = Path(tempfile.mkdtemp(prefix="broker-imap-"))
    root.chmod(0o755)
    (root / "home").mkdir(parents=True)
    shutil.chown(root / "home", "nobody", "nogroup")
    (root / "users").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                imaplib.IMAP4(server.host, port, timeout=5).logout()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("dovecot did not start") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
