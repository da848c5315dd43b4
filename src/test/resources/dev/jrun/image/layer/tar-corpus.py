#!/usr/bin/env python3
"""Writes the tar corpus of TarCorpusTest into the directory given as argv[1].

One archive per case of issue 7, made the ways real archives are made: Python's tarfile, GNU
tar in each --format and --sparse version, and hand-made headers for what no writer emits on
purpose but real layers contain. Accepted cases are named ok-*.tar, refused ones bad-*.tar.
"""
import io, os, subprocess, sys, tarfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
MTIME = 1600000000


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def header(name, typ=b"0", size=0, mode=b"0000644\0", uid=b"0000000\0", gid=b"0000000\0",
           mtime=b"%011o\0" % MTIME, link=b"", magic=b"ustar\x0000", size_field=None):
    b = bytearray(512)
    b[0:len(name)] = name
    b[100:108] = mode
    b[108:116] = uid
    b[116:124] = gid
    b[124:136] = size_field if size_field is not None else b"%011o\0" % size
    b[136:148] = mtime
    b[156:157] = typ
    b[157:157 + len(link)] = link
    b[257:265] = magic
    b[148:156] = b" " * 8
    b[148:156] = b"%06o\0 " % sum(b)
    return bytes(b)


def pad(data):
    return data + b"\0" * (-len(data) % 512)


END = b"\0" * 1024


def pax(records):
    body = b""
    for k, v in records:
        rec = b" " + k + b"=" + v + b"\n"
        n = len(rec) + 1
        while len(str(n).encode()) + len(rec) != n:
            n += 1
        body += str(n).encode() + rec
    return header(b"PaxHeaders/x", typ=b"x", size=len(body)) + pad(body)


def tarfile_archive(name, build, fmt=tarfile.GNU_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        build(t)
    put(name, buf.getvalue())


def add(t, name, kind=tarfile.REGTYPE, mode=0o644, data=b"", link="", uid=0, gid=0):
    i = tarfile.TarInfo(name)
    i.type, i.mode, i.mtime, i.uid, i.gid, i.linkname = kind, mode, MTIME, uid, gid, link
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


# 1. Modes without owner permissions (RHEL's /etc/shadow is 0000), applied after the content.
def modes(t):
    add(t, "etc", tarfile.DIRTYPE, 0o755)
    add(t, "etc/shadow", mode=0o000, data=b"root:!locked::0:99999:7:::\n")
    add(t, "etc/gshadow", mode=0o000, data=b"root:::\n")
    add(t, "f200", mode=0o200, data=b"write only\n")
    add(t, "d000", tarfile.DIRTYPE, 0o000)
    add(t, "d000/inner", data=b"in a 000 dir\n")
    add(t, "d300", tarfile.DIRTYPE, 0o300)
    add(t, "d300/inner", data=b"in a 300 dir\n")
    add(t, "owned", data=b"x", uid=1000, gid=1001)
tarfile_archive("ok-modes.tar", modes)

# 2. A file whose content is a tar header with a field Go reads and commons-compress did not.
inner = header(b"testdata/x", size_field=b"011420\x000" + b"\0" * 4)
tarfile_archive("ok-header-in-data.tar",
                lambda t: (add(t, "go/src/archive/tar/testdata/trick.tar", data=inner * 3 + END),
                           add(t, "after", data=b"still here\n")))

# 3. Types without data but with a size field (some writers put one there).
put("ok-size-on-headeronly.tar",
    header(b"f", size=5) + pad(b"hello")
    + header(b"d/", typ=b"5", size=1024, mode=b"0000755\0")
    + header(b"d/l", typ=b"2", size=512, link=b"../f")
    + header(b"h", typ=b"1", size=512, link=b"f")
    + header(b"p", typ=b"6", size=512)
    + header(b"g", size=3) + pad(b"end")
    + END)

# 5. A GNU long name with a NUL inside: cut at the NUL. 6. Several: the last wins.
put("ok-long-name-nul.tar",
    header(b"././@LongLink", typ=b"L", size=20, magic=b"ustar  \0") + pad(b"0123456789\0junkjunk\0")
    + header(b"short", size=2, magic=b"ustar  \0") + pad(b"ab") + END)
put("ok-multi-headers.tar",
    header(b"././@LongLink", typ=b"L", size=11, magic=b"ustar  \0") + pad(b"first-name\0")
    + header(b"././@LongLink", typ=b"L", size=12, magic=b"ustar  \0") + pad(b"second-name\0")
    + header(b"x", size=2, magic=b"ustar  \0") + pad(b"ab")
    + header(b"././@LongLink", typ=b"K", size=9, magic=b"ustar  \0") + pad(b"first-to\0")
    + header(b"././@LongLink", typ=b"K", size=10, magic=b"ustar  \0") + pad(b"second-to\0")
    + header(b"link", typ=b"2", link=b"x", magic=b"ustar  \0")
    + pax([(b"path", b"pax-first")]) + pax([(b"path", b"pax-second")])
    + header(b"y", size=1) + pad(b"y")
    + END)

# 7. Names that are not UTF-8 (GNU tar and Go keep the bytes).
put("ok-not-utf8.tar",
    header(b"dir-\xff/", typ=b"5", mode=b"0000755\0")
    + header(b"dir-\xff/hi\x80\x81\x82\x83bye", size=2) + pad(b"ok")
    + header(b"dir-\xff/link", typ=b"2", link=b"hi\x80\x81\x82\x83bye")
    + header(b"caf\xc3\xa9", size=1) + pad(b"e")
    + pax([(b"hdrcharset", b"BINARY"), (b"path", b"pax-\xfe\xfd")]) + header(b"x", size=1) + pad(b"p")
    + END)
# Not UTF-8 and owned by someone else: the chown gets the name's bytes.
put("ok-not-utf8-owned.tar", header(b"hi\x80bye", size=2, uid=b"0001750\0") + pad(b"ok") + END)

# 10. Numeric fields Go reads: leading spaces, a missing (all-NUL) uid, a NUL inside.
put("ok-lenient-numbers.tar",
    header(b"spaces", mode=b"   644 \0", size_field=b"         3 \0") + pad(b"abc")
    + header(b"nouid", uid=b"\0" * 8, gid=b"\0" * 8, size=1) + pad(b"n")
    + header(b"nulinside", size_field=b"0000000002\x000") + pad(b"xy")
    + END)

# 11. Garbage where a header is due, after valid entries: refused (not silently cut).
put("bad-garbage-after-entries.tar",
    header(b"first", size=4) + pad(b"1234") + bytes(range(256)) * 2 + header(b"lost", size=1) + pad(b"l") + END)

# 4, 8, 9: GNU tar itself (incremental 'D' entries, sparse files, V7 and the other formats).
src = os.path.join(out, "src")
os.makedirs(os.path.join(src, "dir", "sub"), exist_ok=True)
with open(os.path.join(src, "dir", "a"), "w") as f:
    f.write("a\n")
with open(os.path.join(src, "dir", "sub", "b"), "w") as f:
    f.write("b\n")
long_name = os.path.join("dir", "n" * 120)
with open(os.path.join(src, long_name), "w") as f:
    f.write("long\n")
os.symlink("../" + "t" * 110, os.path.join(src, "dir", "longlink"))
with open(os.path.join(src, "sparse"), "wb") as f:
    # 30 data fragments: more than the 4 an old GNU header holds (extension blocks follow),
    # and a hole at the start and at the end.
    f.truncate(4 << 20)
    for i in range(30):
        f.seek(8192 + i * 65536)
        f.write(b"fragment %d " % i * 50)
for path in ["dir/a", "dir/sub/b", long_name, "sparse", "dir/sub", "dir"]:
    os.utime(os.path.join(src, path), (MTIME, MTIME))


def gnu_tar(name, *opts, files=("dir", "sparse")):
    subprocess.run(["tar", "-C", src, "--owner=0", "--group=0", "--numeric-owner", "-cf",
                    os.path.join(out, name), *opts, *files], check=True)


gnu_tar("ok-format-gnu.tar", "--format=gnu")
gnu_tar("ok-format-oldgnu.tar", "--format=oldgnu")
gnu_tar("ok-format-posix.tar", "--format=posix")
gnu_tar("ok-format-v7.tar", "--format=v7", files=("dir/a", "dir/sub", "sparse"))
gnu_tar("ok-sparse-oldgnu.tar", "--format=gnu", "--sparse", files=("sparse",))
for v in ("0.0", "0.1", "1.0"):
    gnu_tar("ok-sparse-pax-%s.tar" % v, "--format=posix", "--sparse", "--sparse-version=" + v, files=("sparse",))
gnu_tar("ok-incremental-dumpdir.tar", "--format=gnu", "--listed-incremental=" + os.path.join(out, "snapshot"),
        files=("dir",))
