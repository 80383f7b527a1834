#!/usr/bin/env python3
"""DER -> BER re-encoder for tests: every constructed element gets the indefinite length form,
and every OCTET STRING (and [0] IMPLICIT OCTET STRING) longer than 500 octets becomes a constructed
string of 500-octet chunks (itself indefinite). The MAC (over the
de-chunked content octets) still matches. The contents of OCTET STRINGs (AuthenticatedSafe,
SafeContents, certificates) are left in DER. Usage: ber.py IN OUT"""
import sys

def parse(b, i):
    tag = b[i]; i += 1
    l = b[i]; i += 1
    if l & 0x80:
        n = l & 0x7f
        l = int.from_bytes(b[i:i + n], 'big'); i += n
    return tag, b[i:i + l], i + l

def enc_len(n):
    if n < 0x80:
        return bytes([n])
    s = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(s)]) + s

def ber(b):
    out = b''
    i = 0
    while i < len(b):
        tag, content, i = parse(b, i)
        if tag & 0x20:
            out += bytes([tag, 0x80]) + ber(content) + b'\0\0'
        elif tag in (0x04, 0x80) and len(content) > 500:
            # [0] IMPLICIT OCTET STRING (encryptedContent) is chunked the same way (Windows does).
            out += (b'\x24' if tag == 0x04 else b'\xa0') + b'\x80'
            for k in range(0, len(content), 500):
                c = content[k:k + 500]
                out += b'\x04' + enc_len(len(c)) + c
            out += b'\0\0'
        else:
            out += bytes([tag]) + enc_len(len(content)) + content
    return out

data = open(sys.argv[1], 'rb').read()
out = ber(data)
open(sys.argv[2], "wb").write(out)
