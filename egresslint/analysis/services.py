"""Names of well-known ports, for messages ("25 (SMTP)"). A port without a name here is
shown as its number; the policy decides which ports are risky, not this table."""

from __future__ import annotations

SERVICE_NAMES: dict[tuple[str, int], str] = {
    ("tcp", 20): "FTP data",
    ("tcp", 21): "FTP",
    ("tcp", 22): "SSH",
    ("tcp", 23): "Telnet",
    ("tcp", 25): "SMTP",
    ("tcp", 53): "DNS",
    ("tcp", 80): "HTTP",
    ("tcp", 110): "POP3",
    ("tcp", 111): "RPC portmapper",
    ("tcp", 135): "MS RPC",
    ("tcp", 139): "NetBIOS",
    ("tcp", 143): "IMAP",
    ("tcp", 389): "LDAP",
    ("tcp", 443): "HTTPS",
    ("tcp", 445): "SMB",
    ("tcp", 1433): "SQL Server",
    ("tcp", 1521): "Oracle",
    ("tcp", 2049): "NFS",
    ("tcp", 2375): "Docker API",
    ("tcp", 3306): "MySQL",
    ("tcp", 3389): "RDP",
    ("tcp", 5432): "PostgreSQL",
    ("tcp", 5900): "VNC",
    ("tcp", 6379): "Redis",
    ("tcp", 6667): "IRC",
    ("tcp", 9200): "Elasticsearch",
    ("tcp", 11211): "Memcached",
    ("tcp", 27017): "MongoDB",
    ("udp", 53): "DNS",
    ("udp", 69): "TFTP",
    ("udp", 123): "NTP",
    ("udp", 137): "NetBIOS name",
    ("udp", 138): "NetBIOS datagram",
    ("udp", 161): "SNMP",
    ("udp", 1900): "SSDP",
    ("udp", 11211): "Memcached",
}


def port_label(protocol: str, first: int, last: int) -> str:
    """`25 (SMTP)`, `6000-6010`."""
    if first != last:
        return f"{first}-{last}"
    name = SERVICE_NAMES.get((protocol, first))
    return f"{first} ({name})" if name else str(first)
