"""Prints how to run a Java app in a folder: `jar NAME` for an executable jar at
the root, `class NAME CLASSPATH` for an exploded jar (META-INF/MANIFEST.MF),
`webapp .` for an exploded web app (WEB-INF/ at the root), `war NAME` for a WAR
file at the root, or nothing. A manifest's Main-Class decides first (an exploded
Spring Boot WAR has one); Class-Path entries are kept."""
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
    if os.path.isdir(os.path.join(build, "WEB-INF")):
        print("webapp", ".")
        return
    for name in sorted(os.listdir(build)):
        if name.endswith(".war") and " " not in name and os.path.isfile(os.path.join(build, name)):
            print("war", name)
            return


main(sys.argv[1])
