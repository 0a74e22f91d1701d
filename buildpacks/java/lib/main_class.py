"""Prints how to run a Java app in a folder: `jar NAME` for an executable jar at
the root, `class NAME CLASSPATH` for an exploded jar (META-INF/MANIFEST.MF), or
nothing. The manifest's Main-Class decides; Class-Path entries are kept."""
import os
import sys
import zipfile


def parse_manifest(text):
    fields, key = {}, None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(" ") and key:
            fields[key] += line[1:]
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip()
            fields[key] = value.strip()
    return fields


def main(build):
    manifest = os.path.join(build, "META-INF", "MANIFEST.MF")
    if os.path.isfile(manifest):
        with open(manifest, encoding="utf-8", errors="replace") as f:
            fields = parse_manifest(f.read())
        if fields.get("Main-Class"):
            classpath = ":".join(["."] + fields.get("Class-Path", "").split())
            print("class", fields["Main-Class"], classpath)
            return
    for name in sorted(os.listdir(build)):
        if not name.endswith(".jar") or " " in name:
            continue
        try:
            with zipfile.ZipFile(os.path.join(build, name)) as jar:
                fields = parse_manifest(jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace"))
        except (KeyError, zipfile.BadZipFile, OSError):
            continue
        if fields.get("Main-Class"):
            print("jar", name)
            return


main(sys.argv[1])
