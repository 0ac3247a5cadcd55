"""Test helpers for mail: a master with contacts, messages built as Thunderbird and Gmail
write them, a real SMTP server (aiosmtpd) and a real IMAP server (Debian's dovecot),
both on 127.0.0.1, started and stopped by the tests."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml

from iki_xlsx.core.texts import YamlLoader

DATA = Path(__file__).parent / "data"
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists()
                                      else None)

EMAILS = ["rahmat@contoh.go.id", "sri.lestari@contoh.go.id", "", "andi@contoh.go.id",
          "nur.aini@contoh.go.id"]
HPS = ["0811-111-2222", "+62 812 3456 7890", "", "812 9999 0000", ""]


def master_with_contacts(dst: Path, *, emails=EMAILS, hps=HPS) -> Path:
    """The small test master, with Email / No HP filled in as officers type them."""
    data = yaml.load((DATA / "master-kecil.yaml").read_text(encoding="utf-8"),
                     Loader=YamlLoader)
    for person, mail, hp in zip(data["pegawai"], emails, hps):
        if mail:
            person["email"] = mail
        if hp:
            person["no_hp"] = hp
    dst.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                   encoding="utf-8")
    return dst


# --------------------------------------------------------------------------- messages

def thunderbird_reply(sender: str, attachments: list[tuple[str, bytes]], *,
                      msgid: str | None = None, subject: str = "Re: Formulir IKI 2025",
                      date: str = "Thu, 03 Apr 2025 10:15:00 +0800") -> bytes:
    """A reply as Thunderbird writes it: multipart/mixed, text part, each attachment
    base64 with ``name=`` and an RFC 2231 ``filename*=UTF-8''…`` for non-ASCII names."""
    boundary = "------------" + uuid.uuid4().hex[:24]
    msgid = msgid or f"<{uuid.uuid4()}@contoh.go.id>"
    lines = [f"Message-ID: {msgid}", f"Date: {date}", "MIME-Version: 1.0",
             "User-Agent: Mozilla Thunderbird", f"Subject: {subject}",
             f"From: Pegawai <{sender}>", "To: iki@contoh.go.id",
             f'Content-Type: multipart/mixed; boundary="{boundary}"', "",
             "This is a multi-part message in MIME format.", f"--{boundary}",
             "Content-Type: text/plain; charset=UTF-8; format=flowed",
             "Content-Transfer-Encoding: 7bit", "", "Terlampir formulir saya.", ""]
    for name, data in attachments:
        try:
            name.encode("ascii")
            disp = f'attachment; filename="{name}"'
        except UnicodeEncodeError:
            from urllib.parse import quote
            disp = f"attachment; filename*=UTF-8''{quote(name)}"
        lines += [f"--{boundary}",
                  "Content-Type: application/vnd.openxmlformats-officedocument."
                  f'spreadsheetml.sheet; name="{_ascii(name)}"',
                  f"Content-Disposition: {disp}", "Content-Transfer-Encoding: base64", "",
                  *_b64_lines(data)]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode()


def gmail_message(sender: str, attachments: list[tuple[str, bytes]], *,
                  msgid: str | None = None, subject: str = "IKI") -> bytes:
    """As Gmail writes it: multipart/mixed around multipart/alternative, attachments
    with an RFC 2047 ``name`` and ``X-Attachment-Id``."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "iki@contoh.go.id"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 04 Apr 2025 08:00:00 +0700"
    msg["Message-ID"] = msgid or f"<CA{uuid.uuid4().hex}@mail.gmail.com>"
    msg.set_content("Terlampir.")
    msg.add_alternative("<div dir=\"ltr\">Terlampir.</div>", subtype="html")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename=name)
    return msg.as_bytes()


def forwarded(sender: str, inner: bytes, *, msgid: str | None = None) -> bytes:
    """A message forwarded as an attachment (``message/rfc822``)."""
    from email import message_from_bytes, policy

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "iki@contoh.go.id"
    msg["Subject"] = "Fwd: formulir"
    msg["Message-ID"] = msgid or f"<fwd{uuid.uuid4().hex}@contoh.go.id>"
    msg.set_content("Diteruskan.")
    msg.add_attachment(message_from_bytes(inner, policy=policy.default))
    return msg.as_bytes()


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    """An mbox as Thunderbird / Gmail Takeout write it (``From `` lines, ``>From``)."""
    with open(path, "wb") as fh:
        for raw in messages:
            fh.write(b"From - Thu Apr  3 10:15:00 2025\n")
            for line in raw.replace(b"\r\n", b"\n").split(b"\n"):
                if line.lstrip(b">").startswith(b"From "):
                    line = b">" + line
                fh.write(line + b"\n")
            fh.write(b"\n")
    return path


def _ascii(name: str) -> str:
    return name.encode("ascii", "replace").decode()


def _b64_lines(data: bytes) -> list[str]:
    text = base64.b64encode(data).decode()
    return [text[i:i + 72] for i in range(0, len(text), 72)]


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """A dovecot IMAP server for one test: temporary config and maildir, a passwd-file
    user, 127.0.0.1 only; a plaintext listener, and a TLS one when given a cert."""

    def __init__(self, root: Path, *, cert: Path | None = None, key: Path | None = None,
                 user: str = "bkpsdm", password: str = "rahasia-uji"):
        self.root, self.user, self.password = root, user, password
        self.port, self.tls_port = free_port(), free_port() if cert else 0
        self.home = root / "home" / user
        self.maildir = self.home / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        for d in (root / "run", root / "state"):
            d.mkdir(parents=True, exist_ok=True)
        (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
        if os.geteuid() == 0:  # mail processes may not run as root
            uid = gid = 65534
            internal, login = "dovecot", "dovenull"
        else:
            import getpass
            uid, gid = os.getuid(), os.getgid()
            internal = login = getpass.getuser()
        self.uid, self.gid = uid, gid
        ssl = "no"
        if cert:
            ssl = f"yes\nssl_cert = <{cert}\nssl_key = <{key}"
        conf = f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = iki-test-{uuid.uuid4().hex[:8]}
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service anvil {{
  chroot =
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
  chroot =
}}
"""
        self.conf = root / "dovecot.conf"
        self.conf.write_text(conf)
        self.proc: subprocess.Popen | None = None

    def deliver(self, raw: bytes, n: int) -> None:
        data = raw.replace(b"\r\n", b"\n")
        name = f"{int(time.time())}.M{n}P{os.getpid()}.iki,S={len(data)}:2,"
        (self.maildir / "cur" / name).write_bytes(data)

    def start(self) -> "Dovecot":
        """Start and wait until it listens. As root (CI) a failure fails the test; as
        another user (dovecot may need settings this fixture does not know) it skips
        the test, with dovecot's log as the reason."""
        try:
            return self._start()
        except RuntimeError as exc:
            self.stop()
            if os.geteuid() == 0:
                raise
            pytest.skip(f"dovecot could not be started as a normal user: {exc}"[:2000])

    def _start(self) -> "Dovecot":
        for root in (self.root, self.root / "home", self.root / "run", self.root / "state"):
            root.chmod(0o755)
        if os.geteuid() == 0:
            for path in [self.home, *self.home.rglob("*")]:
                os.chown(path, self.uid, self.gid)
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.conf)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dovecot ended: " + self.proc.stdout.read().decode()
                                   + self.log())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not listen: " + self.log())

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def self_signed(root: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 / localhost, and its key (PEM)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = root / "cert.pem", root / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def mail_generated(tmp_path_factory):
    """Forms generated once from the small master with contacts: (root, forms dir,
    workspace dir). Tests copy the workspace (:func:`mail_ws`) before changing it."""
    from iki_xlsx.define.master import load_master
    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.workspace import Workspace

    root = tmp_path_factory.mktemp("mail")
    loaded = load_master(master_with_contacts(root / "master.yaml"))
    assert loaded.ok, [p.message() for p in loaded.problems]
    ws = Workspace(root / "ws")
    generate_forms(loaded.master, root / "forms", ws, jobs=1)  # records the contacts too
    ws.close()
    return root, root / "forms", root / "ws"


@pytest.fixture
def mail_ws(mail_generated, tmp_path):
    """A private copy of the generated workspace, and the forms folder."""
    from iki_xlsx.workspace import Workspace

    _, forms, ws_dir = mail_generated
    shutil.copytree(ws_dir, tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    yield ws, forms
    ws.close()


def form_files(forms: Path) -> dict[str, Path]:
    """NIP-prefixed file name → path of every generated form."""
    return {p.name: p for p in sorted(forms.rglob("*.xlsx")) if p.name[:1].isdigit()}


@pytest.fixture(scope="session")
def mail_filled(mail_generated) -> dict[str, bytes]:
    """Every generated form filled for TW I as a pegawai would (each indikator on its
    target, typed with openpyxl): NIP-prefixed file name → the filled file's bytes."""
    from filling import fill

    from iki_xlsx.workspace import Workspace

    root, forms, ws_dir = mail_generated
    ws = Workspace(ws_dir)
    try:
        issued = {Path(f.file_path).name: f.manifest for f in ws.issued.forms(full=True)}
    finally:
        ws.close()
    out = {}
    for name, path in form_files(forms).items():
        values = {ind["cells"]["realisasi"]["TW1"]: on_target(ind)
                  for ind in issued[name]["indicators"]}
        out[name] = fill(path, root / "diisi" / name, values).read_bytes()
    return out


def on_target(indicator: dict):
    """A realisasi meeting the indikator's target (as a pegawai types it)."""
    if indicator["polaritas"] == "ya/tidak":
        return "Ya"
    target = indicator["target"]
    return target["value"] if target["value"] is not None else target["low"]
